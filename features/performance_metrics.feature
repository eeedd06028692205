@s3 @criterion:performance-metrics
Feature: Performance metrics captured
  Every deployment is timed: how long its build took, how long its publishing, and how long from the email to the
  published site. The averages must stay within their limits, a margin over what a deployment typically takes; the
  figures go to the living documentation.

  @metrics
  Scenario: Deployment times stay within their limits
    Given client "jonas" has an edit site
    When "jonas" emails 3 timestamp updates, each after the last is deployed
    Then every edit is deployed to its client's site
    And the site of "jonas" shows the last timestamp it sent
    And the deployment times are within their limits
