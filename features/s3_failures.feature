@s3 @criterion:s3-failures
Feature: S3 failures handled
  A client whose site's storage is missing cannot be published. The service says so, keeps the thread's work on its
  branch, stays up, and goes on serving: another client's edit, even one sent at the same moment, is deployed, and
  nothing of the failed edit shows on it.

  @failure
  Scenario: A client without a bucket does not take the container down
    Given client "hana" has no edit site
    And client "ivan" has an edit site
    When "hana" emails: Add header with text "Hana's Hats"
    Then the container reports that the S3 sync failed
    And the container that handled it is still running
    And the thread's commits are on its branch
    When "ivan" emails: Create site for client 9
    Then the edit of "ivan" is deployed
    And the site of "ivan" shows the heading "Welcome to client 9"

  @failure-beside-deploy @real-fault:claims-while-owning
  Scenario: One client's failed deployment neither holds up nor leaks into another client's edit sent at the same time
    Written from the step catalog alone by someone who never saw the steps' code.

    Given client "quinn" has no edit site
    And client "rhea" has an edit site
    When these emails arrive at the same time:
      | client | instruction                           |
      | quinn  | Add header with text "Quinn's Quilts" |
      | rhea   | Add header with text "Rhea's Roses"   |
    Then the container reports that the S3 sync of "quinn" failed
    And the container that handled the edit of "quinn" is still running
    And the edit of "rhea" is deployed
    And the site of "rhea" shows the heading "Rhea's Roses"
    And the site of "rhea" does not show "Quinn's Quilts"
    And every thread has its own branch
