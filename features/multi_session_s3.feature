@s3
Feature: Every editing session deploys its own site to S3
  WebOrdinary lets clients edit their websites by email. Each email thread is a session: the edit
  container puts the thread's work on its own git branch, builds the site and publishes it to the
  client's edit bucket. Many clients and threads are handled at once, so no session may leak into
  another's site, and every site must show exactly its latest edit.

  @isolation
  Scenario: Two clients editing at once each get only their own site
    Given these clients have edit sites:
      | client |
      | amelia |
      | bruno  |
    When these emails arrive at the same time:
      | client | instruction                            |
      | amelia | Add header with text "Amelia's Bakery" |
      | bruno  | Add header with text "Bruno's Bikes"   |
    Then every edit is deployed to its client's site
    And the site of "amelia" shows the heading "Amelia's Bakery"
    And the site of "amelia" does not show "Bruno's Bikes"
    And the site of "bruno" shows the heading "Bruno's Bikes"
    And the site of "bruno" does not show "Amelia's Bakery"
