@s3 @criterion:session-isolation
Feature: Session isolation
  Each email thread is a session of its own. When two clients edit at the same moment, each client's edit is
  published to that client's own edit site and nowhere else: its heading, title or secret shows on its site and on
  no other client's, the two sites share no page, and each client's next email would still reach a container.

  @isolation @real-fault:claims-while-owning
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
    And "amelia" and "bruno" have separate edit pages
    And each client's next email would still be served

  @isolation-pairs @real-fault:claims-while-owning
  Scenario Outline: <client> and <other> editing at once each see only their own edit
    Given these clients have edit sites:
      | client   |
      | <client> |
      | <other>  |
    When these emails arrive at the same time:
      | client   | instruction    |
      | <client> | <instruction>  |
      | <other>  | <other's edit> |
    Then every edit is deployed to its client's site
    And the site of "<client>" shows "<text>"
    And the site of "<other>" does not show "<text>"

    Examples:
      | client | instruction                           | text          | other | other's edit                  |
      | kofi   | Update page title to "Kofi's Coffee"  | Kofi's Coffee | lena  | Add header with text "Lena's" |
      | mira   | Add secret key MIRA42 to config       | MIRA42        | nils  | Create site for client 7      |
