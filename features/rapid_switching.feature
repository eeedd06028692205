@s3 @criterion:rapid-switching
Feature: Rapid switching between threads
  A client may start a new thread before the last one is done. A newer email interrupts the session still working
  for the same client: the earlier session is preempted, its work committed and pushed on its own branch, and the
  newer edit is the one the site ends on. No thread's work is lost, none hangs, none lands on another's branch.

  @switching @real-fault:stranded-after-interrupt @real-fault:interrupted-build-succeeds
  @real-fault:works-on-after-preemption
  Scenario: A client switching quickly between five threads ends on the last one
    The real system is known to leave the emails behind an interrupt unserved, so they time out, and to go on with an
    email it was told to stop while it was still fetching the site, whose work then never reaches the site's history.

    Given client "carla" has an edit site
    When "carla" emails these edits on new threads, 0.5 seconds apart:
      | instruction                      |
      | Update page title to "Version 1" |
      | Update page title to "Version 2" |
      | Update page title to "Version 3" |
      | Update page title to "Version 4" |
      | Update page title to "Version 5" |
    Then every session ended deployed or preempted, and the last one deployed
    And the edits were deployed in the order they were sent
    And the site of "carla" is titled "Version 5"
    And every thread has its own branch

  @switching-mid-build @real-fault:interrupted-build-succeeds @real-fault:stranded-after-interrupt
  Scenario: A client switching to a new thread while the last edit is building ends on the new thread
    The client's container is already warm (its first edit deployed), so the next email reaches it while it is
    building: the build is stopped, the earlier session preempted with its work kept on its own branch, and the
    newer edit deployed. The real system is known to take its stopped build for a failed one.

    Given client "wren" has an edit site
    When "wren" emails on a new thread "A": Add header with text "Wren's Wool"
    Then the edit of "wren" is deployed
    When "wren" emails these edits on new threads, each while the last is building:
      | instruction                   |
      | Update page title to "Spring" |
      | Update page title to "Summer" |
    Then each edit sent while the last was building interrupted it before it was deployed
    And every session ended deployed or preempted, and the last one deployed
    And the site of "wren" is titled "Summer"
    And the site of "wren" does not show "Wren's Wool"
    And every thread has its own branch
