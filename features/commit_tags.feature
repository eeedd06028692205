@s3 @promise:commit-tags
Feature: Each thread's commits can be told apart
  A commit's subject ends with a tag meant to name its thread, so that a reader of the history can tell the
  threads' work apart.

  @commit-tags @known-fault @real-fault:shared-commit-tag
  Scenario: Each thread's commits carry a tag of their own
    The real system tags each commit with the first characters of its thread's name, which every thread shares: a
    known fault, expected to fail here.

    Given client "pia" has an edit site
    When "pia" emails these edits on new threads, each after the last is deployed:
      | instruction                     |
      | Update page title to "Spring"   |
      | Update page title to "Summer"   |
    Then each thread's commits carry a tag of their own
