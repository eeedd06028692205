@s3 @promise:claude-failures
Feature: An edit Claude cannot finish
  Claude, which makes each edit, can fail partway through one (its service errs). Then the session fails: nothing of
  the half-made edit is committed, published or pushed with it, and the client's next edit is deployed as usual.

  @claude-failure @use.with_target=local
  Scenario: An edit Claude gives up partway leaves the site as it was, and the next edit deploys
    Claude can fail on purpose only where the suite stands in for it; against the real system this scenario is
    skipped.

    Given client "tess" has an edit site
    When "tess" emails on a new thread "A": Add header with text "Tess's Teas"
    Then the edit of "tess" is deployed
    When "tess" emails on a new thread "B": Add header with text "Half a header" and stop partway
    Then everything the pipeline did for these emails agrees with the contract
    When "tess" replies on thread "A": Update page title to "Tess's Tea Room"
    Then the edit of "tess" is deployed
    And the site of "tess" is titled "Tess's Tea Room"
    And the site of "tess" does not show "Half a header"

  @claude-failure @redeployed @use.with_target=local @real-fault:work-carried-across-threads
  Scenario: A half-made edit stays on its thread when a new container takes the next edit
    The edit service can be redeployed between two emails. The new container takes over the workspace the old one
    left (a volume all containers share), where what Claude wrote before it failed is still uncommitted.

    Given client "tess" has an edit site
    When "tess" emails on a new thread "A": Add header with text "Half a header" and stop partway
    And the edit service is redeployed after the edit of "tess"
    And "tess" emails on a new thread "B": Update page title to "Tess's Tea Room"
    Then the edit of "tess" is deployed
    And the site of "tess" is titled "Tess's Tea Room"
    And the site of "tess" does not show "Half a header"
    And everything the pipeline did for these emails agrees with the contract
