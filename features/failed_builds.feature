@s3 @promise:failed-builds
Feature: An edit that breaks the build
  An edit can break the site's build. Then nothing is published and nothing is pushed: the site stays as its
  last good edit left it, and the client's next edit is deployed as usual.

  @build-failure @use.with_target=local
  Scenario: An edit that breaks the build leaves the site as it was, and the next edit deploys
    An edit can break the build on purpose only where the suite stands in for the assistant that makes the edits;
    against the real system this scenario is skipped.

    Given client "sven" has an edit site
    When "sven" emails on a new thread "A": Add header with text "Sven's Saunas"
    Then the edit of "sven" is deployed
    When "sven" replies on thread "A": Add a page that breaks the build
    Then the edit of "sven" fails to build, and its site is unchanged
    And the site of "sven" still shows the heading "Sven's Saunas"
    When "sven" emails: Update page title to "Sven's Spa"
    Then the edit of "sven" is deployed
    And the site of "sven" is titled "Sven's Spa"
