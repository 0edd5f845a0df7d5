//! A phone number the platform may text: E.164, in a country on its table.
//!
//! Not libphonenumber (the `phonenumber` crate): measured here, its first parse takes
//! ~100 ms and 12.8 MB (it deserialises every country's metadata) and it adds 2.7 MB to a
//! binary, on the sign-in function, against bars of 10 ms, 20 MB and 6 MB. The platform
//! texts only the countries of an allow-list, so a table of those countries' calling codes
//! and number lengths (the shared +1 split by area code, so an allow-list of US does not let
//! in the Caribbean's premium routes) does what is needed; SNS refuses the rest.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Invalid;

/// A country the platform can text: ISO 3166 code, calling code, and the lengths of its
/// national significant numbers.
struct Country {
    iso: &'static str,
    calling_code: &'static str,
    digits: std::ops::RangeInclusive<usize>,
}

const fn country(iso: &'static str, calling_code: &'static str, min: usize, max: usize) -> Country {
    Country { iso, calling_code, digits: min..=max }
}

/// Every country a number may be from (ITU-T E.164 assignments; lengths from the national
/// numbering plans, mobiles included).
const COUNTRIES: [Country; 26] = [
    country("US", "1", 10, 10),
    country("CA", "1", 10, 10),
    country("GB", "44", 9, 10),
    country("IE", "353", 7, 9),
    country("AU", "61", 9, 9),
    country("NZ", "64", 8, 10),
    country("DE", "49", 6, 13),
    country("FR", "33", 9, 9),
    country("ES", "34", 9, 9),
    country("IT", "39", 6, 11),
    country("NL", "31", 9, 9),
    country("BE", "32", 8, 9),
    country("AT", "43", 4, 13),
    country("CH", "41", 9, 9),
    country("SE", "46", 7, 10),
    country("NO", "47", 8, 8),
    country("DK", "45", 8, 8),
    country("FI", "358", 5, 12),
    country("PT", "351", 9, 9),
    country("PL", "48", 9, 9),
    country("IN", "91", 10, 10),
    country("BR", "55", 10, 11),
    country("MX", "52", 10, 10),
    country("JP", "81", 9, 10),
    country("SG", "65", 8, 8),
    country("ZA", "27", 9, 9),
];

/// Canada's area codes in the shared +1 plan (CNAC's list).
const CANADA: [u16; 59] = [
    204, 226, 236, 249, 250, 257, 263, 289, 306, 343, 354, 365, 367, 368, 382, 387, 403, 416, 418, 428, 431, 437, 438,
    450, 460, 468, 474, 506, 514, 519, 548, 579, 581, 584, 587, 600, 604, 613, 622, 639, 647, 672, 683, 705, 709, 742,
    753, 778, 780, 782, 807, 819, 825, 867, 873, 879, 902, 905, 942,
];

/// Area codes of the +1 plan outside the US states and Canada: the Caribbean nations and
/// the US territories, each its own country (and a known SMS-pumping route).
const OTHER_NANP: [u16; 27] = [
    242, 246, 264, 268, 284, 340, 345, 441, 473, 649, 658, 664, 670, 671, 684, 721, 758, 767, 784, 787, 809, 829, 849,
    868, 869, 876, 939,
];

/// A phone number in E.164 (`+` and up to 15 digits), from a country of the table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber {
    e164: String,
    country: &'static str,
}

impl PhoneNumber {
    /// Parses an international number; spaces, dots, dashes and parentheses between the
    /// digits are allowed and dropped.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        let Some(rest) = raw.strip_prefix('+') else {
            return Err(Invalid::new("must start with + and the country code (E.164, e.g. +14155552671)"));
        };
        if raw.len() > 32 {
            return Err(Invalid::new("must have at most 15 digits"));
        }
        let mut digits = String::with_capacity(15);
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '.' | '-' | '(' | ')' => {}
                _ => return Err(Invalid::new("must have only digits after the +")),
            }
        }
        if !(8..=15).contains(&digits.len()) {
            return Err(Invalid::new("must have 8 to 15 digits"));
        }
        let country = Self::country_of(&digits)?;
        Ok(Self { e164: format!("+{digits}"), country })
    }

    /// The country of `digits` (calling code first), with its length rules checked.
    fn country_of(digits: &str) -> Result<&'static str, Invalid> {
        let unknown = || Invalid::new("is not from a country Peerlearn can send texts to");
        // Calling codes are prefix-free: at most one matches.
        let code =
            COUNTRIES.iter().map(|c| c.calling_code).find(|code| digits.starts_with(code)).ok_or_else(unknown)?;
        let national = &digits[code.len()..];
        if code == "1" {
            return nanp_country(national);
        }
        let country = COUNTRIES.iter().find(|c| c.calling_code == code).ok_or_else(unknown)?;
        if !country.digits.contains(&national.len()) || national.starts_with('0') {
            return Err(Invalid::new("does not have the length of a number in its country"));
        }
        Ok(country.iso)
    }

    /// The number, `+` and digits.
    pub fn as_str(&self) -> &str {
        &self.e164
    }

    /// Its country, ISO 3166 alpha-2 (`US`, `GB`, ...).
    pub fn country(&self) -> &'static str {
        self.country
    }

    /// The number with all but its last two digits hidden, for messages and logs.
    pub fn masked(&self) -> String {
        let shown = &self.e164[self.e164.len() - 2..];
        format!("+{}{shown}", "•".repeat(self.e164.len() - 3))
    }
}

/// A +1 number: NXX-NXX-XXXX, a US state's or Canada's; the rest of the plan is refused.
fn nanp_country(national: &str) -> Result<&'static str, Invalid> {
    let bytes = national.as_bytes();
    let shaped = bytes.len() == 10 && (b'2'..=b'9').contains(&bytes[0]) && (b'2'..=b'9').contains(&bytes[3]);
    if !shaped || &national[1..3] == "11" {
        return Err(Invalid::new("is not a valid North American number (NXX-NXX-XXXX)"));
    }
    let area: u16 = national[..3].parse().map_err(|_| Invalid::new("is not a valid North American number"))?;
    if OTHER_NANP.contains(&area) {
        return Err(Invalid::new("is not from a country Peerlearn can send texts to"));
    }
    Ok(if CANADA.contains(&area) { "CA" } else { "US" })
}

impl Serialize for PhoneNumber {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.e164)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl std::fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.e164)
    }
}

/// The countries the platform texts (the `SmsCountries` template parameter): each one of
/// the table's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PhoneCountries(Vec<&'static str>);

impl PhoneCountries {
    /// Parses a comma-separated list of ISO codes; an unknown one is an error naming it.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut countries = Vec::new();
        for code in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            let upper = code.to_ascii_uppercase();
            let known = COUNTRIES.iter().find(|c| c.iso == upper).ok_or_else(|| format!("unknown country {code}"))?;
            countries.push(known.iso);
        }
        Ok(Self(countries))
    }

    /// True when none is allowed: texting is off.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `number` may be texted.
    pub fn allow(&self, number: &PhoneNumber) -> bool {
        self.0.contains(&number.country())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn numbers_are_normalised_to_e164_with_their_country() {
        for (raw, e164, country) in [
            ("+1 (415) 555-2671", "+14155552671", "US"),
            ("+1 604 555 0199", "+16045550199", "CA"),
            ("+44 20 7183 8750", "+442071838750", "GB"),
            ("+49 151 12345678", "+4915112345678", "DE"),
            ("+33 6 12 34 56 78", "+33612345678", "FR"),
            (" +61 412 345 678 ", "+61412345678", "AU"),
        ] {
            let number = PhoneNumber::parse(raw).unwrap();
            assert_eq!((number.as_str(), number.country()), (e164, country), "{raw}");
        }
    }

    #[test]
    fn malformed_and_unsupported_numbers_are_refused() {
        for raw in [
            "4155552671",        // no +
            "+1 415 555 267",    // short for +1
            "+1 115 555 2671",   // area code cannot start with 1
            "+1 411 555 2671",   // N11 is a service code
            "+1 876 555 2671",   // Jamaica shares +1, not on the table
            "+1 787 555 2671",   // Puerto Rico
            "+999 1234 5678",    // no such country
            "+44 020 7183 8750", // trunk 0 inside an international number
            "+33 6 12 34",       // too short for France
            "+1 415 555 2671 x2",
            "+",
            "",
        ] {
            assert!(PhoneNumber::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn calling_codes_are_prefix_free() {
        for a in &COUNTRIES {
            for b in &COUNTRIES {
                if a.calling_code != b.calling_code {
                    assert!(!a.calling_code.starts_with(b.calling_code), "{} / {}", a.iso, b.iso);
                }
            }
        }
    }

    #[test]
    fn the_allow_list_names_table_countries_only() {
        let allowed = PhoneCountries::parse("us, GB").unwrap();
        assert!(allowed.allow(&PhoneNumber::parse("+14155552671").unwrap()));
        assert!(!allowed.allow(&PhoneNumber::parse("+16045550199").unwrap()));
        assert!(PhoneCountries::parse("US,XX").unwrap_err().contains("XX"));
        assert!(PhoneCountries::parse("").unwrap().is_empty());
    }

    #[test]
    fn masking_shows_the_last_two_digits() {
        assert_eq!(PhoneNumber::parse("+14155552671").unwrap().masked(), "+•••••••••71");
    }

    proptest! {
        #[test]
        fn anything_parsed_is_e164_and_parses_back_the_same(raw in "\\+[0-9 ().-]{0,24}") {
            if let Ok(number) = PhoneNumber::parse(&raw) {
                let digits = &number.as_str()[1..];
                prop_assert!(digits.len() <= 15 && digits.bytes().all(|b| b.is_ascii_digit()));
                prop_assert_eq!(PhoneNumber::parse(number.as_str()).unwrap(), number);
            }
        }
    }
}
