@s3 @promise:visitor
Feature: What a visitor sees
  A client's site is looked at by people, in a browser, at its website address. What they see is the latest
  edit, on a page that is served as a page, with no broken link and no missing asset.

  @visitor @fixture.browser
  Scenario: A visitor to a client's site sees its latest edit on a page that works
    Given client "vera" has an edit site
    When "vera" emails these edits, each after the last is deployed:
      | thread | instruction                           |
      | A      | Add header with text "Vera's Vinyl"   |
      | A      | Update page title to "Vera's Records" |
    Then a visitor to the site of "vera" sees the title "Vera's Records"
    And a visitor to the site of "vera" sees the heading "Vera's Vinyl"
    And a visitor finds no broken link or missing asset on the site of "vera"
