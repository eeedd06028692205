@s3 @promise:thread-return
Feature: Returning to an earlier thread
  A client can reply on a thread they left for another one. The reply continues that thread's own work, on its
  own branch, and the site ends on the reply's edit.

  @thread-return
  Scenario: A client who returns to an earlier thread continues that thread's work
    Given client "olga" has an edit site
    When "olga" emails these edits, each after the last is deployed:
      | thread | instruction                            |
      | A      | Add header with text "Olga's Orchard"  |
      | B      | Update page title to "Pear season"     |
      | A      | Update page title to "Apple season"    |
    Then every edit is deployed to its client's site
    And every thread has its own branch
    And the site of "olga" is titled "Apple season"
