@s3 @criterion:no-cross-contamination
Feature: No cross-contamination between threads
  A client's threads share one site and one container, but not their work: a new thread starts from the site as
  published, never from what another thread left behind, so a secret sent on one thread never shows once a later
  thread is deployed, and each thread's commits stay on its own branch.

  @contamination
  Scenario: A client's new thread does not carry the previous thread's secret
    Given client "gus" has an edit site
    When "gus" emails these edits on new threads, each after the last is deployed:
      | instruction                        |
      | Add secret key ABC123 to config    |
      | Add different key XYZ789 to config |
    Then every edit is deployed to its client's site
    And the site of "gus" shows "XYZ789"
    And the site of "gus" does not show "ABC123"
    And every thread has its own branch
