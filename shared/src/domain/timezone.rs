//! The user's time zone, which availability times are expressed in.

use std::fmt;

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// An IANA time zone known to the bundled tz database, e.g. `Europe/Madrid`.
///
/// Names must match exactly (case included) as the tz database spells them; only surrounding
/// whitespace is trimmed. Serialised as the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "Europe/Madrid")]
pub struct Timezone(Tz);

impl Timezone {
    /// Parses an IANA zone name such as `Europe/Madrid`, `America/Mexico_City` or `UTC`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        raw.trim().parse::<Tz>().map(Self).map_err(|_| Invalid::new("must be an IANA time zone such as Europe/Madrid"))
    }

    /// Every zone name `parse` accepts, as the tz database spells them (the OpenAPI enum).
    pub fn names() -> impl Iterator<Item = &'static str> {
        chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name())
    }

    /// The zone, for converting times with chrono.
    pub fn tz(&self) -> Tz {
        self.0
    }

    /// The IANA name, e.g. `Europe/Madrid`.
    pub fn name(&self) -> &'static str {
        self.0.name()
    }
}

impl From<Tz> for Timezone {
    /// Every `Tz` is a known zone, so this cannot fail.
    fn from(tz: Tz) -> Self {
        Self(tz)
    }
}

impl fmt::Display for Timezone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Timezone {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

impl TryFrom<String> for Timezone {
    type Error = Invalid;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl TryFrom<&str> for Timezone {
    type Error = Invalid;

    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        Self::parse(raw)
    }
}

impl From<Timezone> for String {
    fn from(value: Timezone) -> Self {
        value.name().to_owned()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_common_zones() {
        for name in ["Europe/Madrid", "America/Mexico_City", "UTC", "Asia/Kolkata"] {
            let tz = Timezone::parse(name).unwrap();
            assert_eq!(tz.name(), name);
            assert_eq!(tz.to_string(), name);
        }
        assert_eq!(Timezone::parse("Europe/Madrid").unwrap().tz(), Tz::Europe__Madrid);
    }

    #[test]
    fn trims_surrounding_whitespace() {
        assert_eq!(Timezone::parse(" UTC\n").unwrap().name(), "UTC");
    }

    #[test]
    fn refuses_unknown_or_miscased_names() {
        for bad in ["", "europe/madrid", "Europe/Atlantis", "CEST", "+02:00", "Madrid"] {
            assert_eq!(Timezone::parse(bad).unwrap_err().reason(), "must be an IANA time zone such as Europe/Madrid");
        }
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let tz = Timezone::parse("America/Mexico_City").unwrap();
        let json = serde_json::to_string(&tz).unwrap();
        assert_eq!(json, "\"America/Mexico_City\"");
        assert_eq!(serde_json::from_str::<Timezone>(&json).unwrap(), tz);
        assert!(serde_json::from_str::<Timezone>("\"Mars/Olympus_Mons\"").is_err());
    }

    proptest! {
        #[test]
        fn every_known_zone_round_trips(index in 0..chrono_tz::TZ_VARIANTS.len()) {
            let tz = chrono_tz::TZ_VARIANTS[index];
            let parsed = Timezone::parse(tz.name()).unwrap();
            prop_assert_eq!(parsed.tz(), tz);
            prop_assert_eq!(Timezone::parse(parsed.name()), Ok(parsed));
            prop_assert_eq!(Timezone::from(tz), parsed);
            let json = serde_json::to_string(&parsed).unwrap();
            prop_assert_eq!(serde_json::from_str::<Timezone>(&json).unwrap(), parsed);
        }

        #[test]
        fn arbitrary_input_never_panics(raw in any::<String>()) {
            if let Ok(tz) = Timezone::parse(&raw) {
                prop_assert_eq!(tz.name(), raw.trim());
            }
        }
    }
}
