@s3 @criterion:concurrent-deployments
Feature: Concurrent deployments
  Many clients edit at the same moment. Each of their edits is built and published to its own site, all of them
  within the time the seed allows for deployments at once, and every client is still served afterwards.

  @concurrency @real-fault:claims-while-owning
  Scenario: Three clients deploying at once all get their sites in time
    Given these clients have edit sites:
      | client |
      | dora   |
      | emil   |
      | fatima |
    When these emails arrive at the same time:
      | client | instruction              |
      | dora   | Create site for client 1 |
      | emil   | Create site for client 2 |
      | fatima | Create site for client 3 |
    Then every edit is deployed to its client's site
    And all of them were deployed within the concurrent deployment limit
    And each client's next email would still be served
    And the site of "dora" shows the heading "Welcome to client 1"
    And the site of "emil" shows the heading "Welcome to client 2"
    And the site of "fatima" shows the heading "Welcome to client 3"
