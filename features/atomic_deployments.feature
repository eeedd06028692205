@s3 @promise:atomicity
Feature: Deployments a visitor sees whole
  While a site is redeployed, a visitor reading it should see the old build or the new one, never a page of one
  beside a page of the other.

  @atomicity @real-fault:mixed-builds
  Scenario: A visitor reading a site while it is redeployed never sees a mix of two builds
    The real system publishes a new build page by page, so a visitor can meet a page of the new build beside a page
    of the old one: a known fault, recorded as such.

    Given client "otto" has an edit site
    When "otto" emails on a new thread "A": Add header with text "Otto's Optics"
    And a visitor keeps reading the site of "otto"
    And "otto" replies on thread "A": Update page title to "Otto's Lenses"
    Then the visitor never saw a mix of two builds on the site of "otto"
    And the site of "otto" is titled "Otto's Lenses"
