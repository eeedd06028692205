@s3 @promise:thread-return
Feature: Returning to an earlier thread
  A client can reply on a thread they left for another one. The reply continues that thread's own work, on its
  own branch, and the site ends on the reply's edit.

  @thread-return
  Scenario: A client who returns to an earlier thread continues that thread's work
    Given client "olga" has an edit site
    When "olga" emails these edits, each after the last is deployed:
      | thread | instruction                                                                                |
      | A      | Add header with text "Olga's Orchard: apples, pears and plums, picked by hand each morning" |
      | B      | Add pages about, team, prices and contact                                                  |
      | A      | Add FAQ "Do you deliver? Yes, by the crate"                                                |
      | A      | Update page title to "Apple season"                                                        |
    Then every edit is deployed to its client's site
    And every thread has its own branch
    And the site of "olga" is titled "Apple season"

  @comeback @use.with_idle_release=short
  Scenario: A client who comes back after its container was released is served again
    Once a client's container has been idle long enough, it releases the client's project; the client's next
    email needs a new claim, and a container that takes it continues the thread where it was left.

    Given client "tomas" has an edit site
    When "tomas" emails on a new thread "A": Add header with text "Tomás' Tapas"
    Then the edit of "tomas" is deployed
    When the container of "tomas" has released it after being idle
    And "tomas" replies on thread "A": Update page title to "Tapas y vinos, ¡olé!"
    Then the edit of "tomas" is deployed
    And the site of "tomas" is titled "Tapas y vinos, ¡olé!"
    And the site of "tomas" shows the heading "Tomás' Tapas"
