@s3 @promise:any-language
Feature: Edits in any language
  Clients write in their own language: accents, other scripts, emoji, every kind of quote, characters that mean
  something in a web page, from mail clients that encode the text each in their own way. What a client writes is
  what its site shows, and what its history says it did.

  @any-language
  Scenario Outline: <client>'s edit, sent with <encoding> encoding, shows as written
    Given client "<client>" has an edit site
    When "<client>" emails with <encoding> encoding: Add header with text "<text>"
    Then the edit of "<client>" is deployed
    And the site of "<client>" shows the heading "<text>"
    And everything the pipeline did for these emails agrees with the contract

    Examples:
      | client | encoding         | text                                  |
      | zoe    | quoted-printable | Zoë's Café – crème brûlée & «thé» ‘ok’ |
      | yuki   | base64           | ゆきの菓子店 🍡 本日のおすすめ             |
      | lars   | Latin-1          | Smørrebrød på Ærø, ½ pris · 5 kr.     |

  @any-language
  Scenario: A client who writes in capitals is heard, and its history reads as usual
    Given client "cai" has an edit site
    When "cai" emails on a new thread "A": PLEASE UPDATE PAGE TITLE TO "CAI'S CANDLES"
    Then the edit of "cai" is deployed
    And the site of "cai" is titled "CAI'S CANDLES"
    And everything the pipeline did for these emails agrees with the contract

  @markup-as-text
  Scenario: Text that looks like a web page's markup shows as text
    Given client "mo" has an edit site
    When "mo" emails on a new thread "A": Add header with text "<b>Bold</b> & <i>brave</i> 'quotes'"
    Then the edit of "mo" is deployed
    And the site of "mo" shows the heading "<b>Bold</b> & <i>brave</i> 'quotes'"
