//! The name members show each other: one line, in NFC, with nothing invisible in it and
//! nothing that passes for the platform's own voice.
//!
//! A name is what a member trusts before anything else, so three tricks are refused:
//! reordering text with bidi controls (U+202E makes "Ada\u{202E}nimda" read "Adaadmin"),
//! hiding characters (zero-width spaces make two names that look the same differ), and
//! dressing up as staff ("Peerlearn Support ✔", "ADM1N", "Ѕupport" with a Cyrillic Ѕ).

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;
use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
use utoipa::ToSchema;

use super::Invalid;

/// Words only the platform speaks with, compared after folding case, accents, look-alike
/// letters and digits: a whole word (or its plural) of a name must not be one of them.
const RESERVED_WORDS: [&str; 7] = ["peerlearn", "admin", "administrator", "support", "moderator", "staff", "official"];

/// The platform's own name is refused anywhere in a name, even split up ("Peer Learn",
/// "P.e.e.r.l.e.a.r.n", "PeerlearnBot").
const PLATFORM: &str = "peerlearn";

/// Check marks read as "verified"; verification is a badge the platform draws, never text.
const CHECK_MARKS: [char; 8] = [
    '\u{2713}',  // ✓ check mark
    '\u{2714}',  // ✔ heavy check mark
    '\u{2611}',  // ☑ ballot box with check
    '\u{2705}',  // ✅ white heavy check mark
    '\u{1F5F8}', // 🗸 light check mark
    '\u{1F5F9}', // 🗹 ballot box with bold check
    '\u{221A}',  // √ square root, the check mark of plain keyboards
    '\u{10102}', // 𐄂 Aegean check mark
];

/// The name shown to other users: one line of 1 to 80 characters in NFC, without control,
/// format or invisible characters, and not one the platform reserves.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "Ada Lovelace")]
pub struct DisplayName(String);

impl DisplayName {
    /// Most characters allowed after normalisation.
    pub const MAX_CHARS: usize = 80;

    /// A name a member chooses: trims, collapses whitespace runs to one space, composes to
    /// NFC, and checks it is 1 to 80 characters with no control, format (Unicode category
    /// Cf: bidi controls, zero-width characters, U+FEFF...) or otherwise invisible
    /// characters, and that it does not impersonate the platform.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.chars().any(is_invisible) {
            return Err(Invalid::new(
                "must not contain invisible or formatting characters (such as bidi controls or zero-width spaces)",
            ));
        }
        let name = normalise(raw)?;
        if impersonates(&name) {
            return Err(Invalid::new(
                "is reserved: it must not look like Peerlearn's own (peerlearn, admin, support, moderator, staff, \
                 official) or carry a check mark",
            ));
        }
        Ok(Self(name))
    }

    /// A name as stored. Names saved before these rules stay readable (an item that cannot
    /// be read would fail every request that touches it): invisible characters are dropped
    /// rather than refused, and reserved words are left to moderation. Input from members
    /// goes through [`DisplayName::parse`].
    pub fn stored(raw: &str) -> Result<Self, Invalid> {
        let visible: String = raw.chars().filter(|c| !is_invisible(*c)).collect();
        normalise(&visible).map(Self)
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// One line, NFC, no control characters, 1 to 80 characters.
fn normalise(raw: &str) -> Result<String, Invalid> {
    let text: String = raw.split_whitespace().collect::<Vec<_>>().join(" ").nfc().collect();
    if text.is_empty() {
        return Err(Invalid::new("must not be empty"));
    }
    if text.chars().any(char::is_control) {
        return Err(Invalid::new("must not contain control characters"));
    }
    if text.chars().count() > DisplayName::MAX_CHARS {
        return Err(Invalid::because(format!("must be at most {} characters", DisplayName::MAX_CHARS)));
    }
    Ok(text)
}

/// Characters that change how text around them reads, or show nothing at all: every format
/// character (Cf: bidi embeddings, overrides and isolates, zero-width space/joiners, the
/// byte-order mark, invisible operators, tags), private-use characters (no two fonts agree
/// on them), and the blank letters and marks that render as nothing (Hangul fillers,
/// the braille blank, the combining grapheme joiner). Whitespace is collapsed, not refused.
fn is_invisible(c: char) -> bool {
    matches!(c.general_category(), GeneralCategory::Format | GeneralCategory::PrivateUse)
        || matches!(c, '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{2800}' | '\u{034F}')
}

/// Whether `name` could pass for the platform: a check mark anywhere, the platform's name
/// anywhere (separators removed), or a whole word that is a reserved one, after folding.
fn impersonates(name: &str) -> bool {
    if name.nfkc().any(|c| CHECK_MARKS.contains(&c)) {
        return true;
    }
    let folded = fold(name);
    // Folded again once squeezed: letters that meet only now may read as one ("r.n" -> "m").
    let squeezed: String = folded.chars().filter(|c| c.is_alphanumeric()).collect();
    if fold(&squeezed).contains(&fold(PLATFORM)) {
        return true;
    }
    let reserved: Vec<String> = RESERVED_WORDS.iter().map(|w| fold(w)).collect();
    folded.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).any(|word| {
        let singular = word.strip_suffix('s').unwrap_or(word);
        reserved.iter().any(|r| r == word || r == singular)
    })
}

/// Folds away what does not change how a word looks: compatibility forms and accents
/// (NFKD, marks dropped), case, the digits and signs people swap for letters, and letters
/// of other scripts that look Latin (the Unicode confusables skeleton, UTS #39, which also
/// reads "rn" as "m"). Two strings that fold alike read alike.
fn fold(text: &str) -> String {
    let plain = |s: &str| -> String {
        s.nfkd().filter(|c| !is_mark(*c)).flat_map(char::to_lowercase).map(unleet).collect::<String>()
    };
    // The skeleton maps to prototypes that may be upper case or digits ("o" and "0" meet
    // at "O"): fold case and digits again after it.
    let skeleton: String = unicode_security::skeleton(&plain(text)).collect();
    plain(&skeleton).replace("vv", "w")
}

/// The letter a swapped-in digit or sign stands for.
fn unleet(c: char) -> char {
    match c {
        '1' | 'l' | '|' | '!' => 'i',
        '0' => 'o',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        '8' => 'b',
        other => other,
    }
}

fn is_mark(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::NonspacingMark | GeneralCategory::SpacingMark | GeneralCategory::EnclosingMark
    )
}

impl std::fmt::Display for DisplayName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for DisplayName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for DisplayName {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Invalid> {
        Self::parse(raw)
    }
}

/// Deserialising reads stored names ([`DisplayName::stored`]); request bodies carry names
/// as strings and parse them with [`DisplayName::parse`].
impl TryFrom<String> for DisplayName {
    type Error = Invalid;

    fn try_from(raw: String) -> Result<Self, Invalid> {
        Self::stored(&raw)
    }
}

impl From<DisplayName> for String {
    fn from(name: DisplayName) -> String {
        name.0
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reason(raw: &str) -> String {
        DisplayName::parse(raw).unwrap_err().reason().to_owned()
    }

    #[test]
    fn ordinary_names_in_any_script_are_kept() {
        for name in [
            "Ada Lovelace",
            "José Álvarez",
            "Nguyễn Thị Minh Khai",
            "Søren Kierkegaard",
            "Zoë O'Brien-Smith",
            "山田 太郎",
            "Анна Петрова",
            "محمد علي",
            "Staffan Lindqvist",
            "Admiral Hopper",
            "Officer Dibble",
            "Supporter of Rust",
            "Peer Tutor Li",
            "Learn With Kim",
        ] {
            assert_eq!(DisplayName::parse(name).unwrap().as_str(), name, "{name}");
        }
    }

    #[test]
    fn names_are_composed_to_nfc() {
        let decomposed = "Jose\u{301} A\u{301}lvarez";
        assert_eq!(DisplayName::parse(decomposed).unwrap().as_str(), "José Álvarez");
        assert_eq!(DisplayName::parse(decomposed), DisplayName::parse("José Álvarez"));
    }

    #[test]
    fn bidi_controls_and_zero_width_characters_are_refused() {
        for c in ('\u{202A}'..='\u{202E}').chain('\u{2066}'..='\u{2069}').chain('\u{200B}'..='\u{200F}') {
            let name = format!("Ada{c}Lovelace");
            assert!(reason(&name).contains("invisible"), "U+{:04X}", u32::from(c));
        }
        for c in ['\u{FEFF}', '\u{2060}', '\u{00AD}', '\u{061C}', '\u{E0041}', '\u{3164}', '\u{2800}', '\u{E000}'] {
            assert!(reason(&format!("Ada{c}")).contains("invisible"), "U+{:04X}", u32::from(c));
        }
        // Other control characters keep their own answer.
        assert_eq!(reason("Ada\u{7}"), "must not contain control characters");
    }

    #[test]
    fn names_that_pass_for_the_platform_are_reserved() {
        for name in [
            "Peerlearn Support ✔",
            "Peerlearn",
            "PEERLEARN team",
            "Peer Learn",
            "P.e.e.r.l.e.a.r.n",
            "PeerlearnBot",
            "Peerleam",
            "Pëërlëärn",
            "Ada ✓",
            "Ada ✅",
            "Ada ☑",
            "Ada √",
            "admin",
            "The Admins",
            "ADM1N",
            "Adm!n",
            "Ａｄｍｉｎ",
            "Ѕupport",
            "Supp0rt Desk",
            "suppórt",
            "Moderator Jane",
            "staff",
            "St4ff Member",
            "Official",
            "0fficial Account",
            "Administrator",
        ] {
            assert!(reason(name).starts_with("is reserved"), "{name} should be reserved");
        }
    }

    #[test]
    fn stored_names_stay_readable_without_their_invisible_characters() {
        assert_eq!(DisplayName::stored("Ada\u{200B} Love\u{202E}lace").unwrap().as_str(), "Ada Lovelace");
        assert_eq!(DisplayName::stored("Support").unwrap().as_str(), "Support");
        assert!(DisplayName::stored("  ").is_err());
        let json = serde_json::to_string(&DisplayName::parse("Ada  Lovelace").unwrap()).unwrap();
        assert_eq!(serde_json::from_str::<DisplayName>(&json).unwrap().as_str(), "Ada Lovelace");
    }

    #[test]
    fn length_is_counted_in_characters_after_composition() {
        assert!(DisplayName::parse(&"é".repeat(80)).is_ok());
        assert!(DisplayName::parse(&"e\u{301}".repeat(80)).is_ok(), "80 composed characters");
        assert_eq!(reason(&"a".repeat(81)), "must be at most 80 characters");
    }

    proptest! {
        #[test]
        fn accepted_names_are_nfc_visible_and_stable(raw in any::<String>()) {
            if let Ok(name) = DisplayName::parse(&raw) {
                let text = name.as_str();
                prop_assert!(unicode_normalization::is_nfc(text));
                prop_assert!(!text.chars().any(|c| is_invisible(c) || c.is_control()));
                prop_assert!(!text.chars().any(|c| CHECK_MARKS.contains(&c)));
                prop_assert!((1..=80).contains(&text.chars().count()));
                prop_assert_eq!(DisplayName::parse(text), Ok(name.clone()));
                prop_assert_eq!(DisplayName::stored(text), Ok(name.clone()));
            }
        }

        #[test]
        fn any_invisible_character_anywhere_is_refused(
            before in "[A-Za-z ]{0,20}",
            after in "[A-Za-z ]{0,20}",
            c in prop::sample::select(vec!['\u{200B}', '\u{200C}', '\u{200D}', '\u{200E}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}', '\u{FEFF}', '\u{2060}']),
        ) {
            let name = format!("{before}{c}{after}");
            prop_assert!(DisplayName::parse(&name).is_err());
        }

        #[test]
        fn a_reserved_word_in_any_case_or_accent_is_reserved(
            word in prop::sample::select(RESERVED_WORDS.to_vec()),
            upper in prop::collection::vec(any::<bool>(), 13),
            accent in any::<bool>(),
            name in "[A-Z][a-z]{2,8}",
        ) {
            let styled: String = word
                .chars()
                .zip(&upper)
                .flat_map(|(c, up)| {
                    let c = if *up { c.to_ascii_uppercase() } else { c };
                    // A combining acute over vowels: diacritics do not hide the word.
                    let mark = (accent && "aeiou".contains(c.to_ascii_lowercase())).then_some('\u{301}');
                    std::iter::once(c).chain(mark)
                })
                .collect();
            let full = format!("{name} {styled}");
            prop_assert!(DisplayName::parse(&full).is_err(), "{}", full);
        }
    }
}
