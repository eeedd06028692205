// One value per `npm run build`: every page of a build carries it, so a visitor can tell two builds apart.
export const build = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
