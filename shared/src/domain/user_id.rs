//! A user's identifier.

ulid_id! {
    /// A user's id.
    UserId
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ulid::Ulid;

    const SAMPLE: &str = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

    #[test]
    fn parses_and_displays_canonical_form() {
        let id = UserId::parse(SAMPLE).unwrap();
        assert_eq!(id.to_string(), SAMPLE);
        assert_eq!(id.as_ulid(), Ulid::from_string(SAMPLE).unwrap());
    }

    #[test]
    fn lowercase_is_normalised_to_uppercase() {
        let id = UserId::parse(&SAMPLE.to_lowercase()).unwrap();
        assert_eq!(id.to_string(), SAMPLE);
    }

    #[test]
    fn refuses_non_canonical_input() {
        for bad in [
            "",
            "01ARZ3NDEKTSV4RRFFQ69G5FA",   // 25
            "01ARZ3NDEKTSV4RRFFQ69G5FAVX", // 27
            " 01ARZ3NDEKTSV4RRFFQ69G5FAV",
            "01ARZ3NDEKTSV4RRFFQ69G5FAI", // I is not Crockford
            "01ARZ3NDEKTSV4RRFFQ69G5FAU", // nor is U
            "01ARZ3NDEKTSV4RRFFQ69G5FA-",
            "81ARZ3NDEKTSV4RRFFQ69G5FAV", // overflows 128 bits
            "ZZZZZZZZZZZZZZZZZZZZZZZZZZ",
            "01ARZ3NDEKTSV4RRFFQ69G5FÀ", // 26 bytes, not 26 characters
        ] {
            assert_eq!(UserId::parse(bad).unwrap_err().reason(), "must be a 26-character ULID", "{bad:?}");
        }
    }

    #[test]
    fn extremes_round_trip() {
        let max = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ";
        assert_eq!(UserId::parse(max).unwrap().as_ulid().0, u128::MAX);
        assert_eq!(UserId::parse(max).unwrap().to_string(), max);
        let min = "00000000000000000000000000";
        assert_eq!(UserId::parse(min).unwrap().as_ulid().0, 0);
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let id = UserId::parse(SAMPLE).unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{SAMPLE}\""));
        assert_eq!(serde_json::from_str::<UserId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<UserId>("\"nope\"").is_err());
        assert!(serde_json::from_str::<UserId>("123").is_err());
    }

    proptest! {
        #[test]
        fn any_ulid_round_trips(n in any::<u128>()) {
            let id = UserId::new(Ulid(n));
            let text = id.to_string();
            prop_assert_eq!(text.len(), 26);
            prop_assert_eq!(UserId::parse(&text), Ok(id.clone()));
            prop_assert_eq!(UserId::parse(&text.to_lowercase()), Ok(id.clone()));
            let json = serde_json::to_string(&id).unwrap();
            prop_assert_eq!(serde_json::from_str::<UserId>(&json).unwrap(), id);
        }

        #[test]
        fn arbitrary_input_never_panics_and_parses_exactly(raw in any::<String>()) {
            if let Ok(id) = UserId::parse(&raw) {
                prop_assert_eq!(id.to_string(), raw.to_uppercase());
            }
        }

        #[test]
        fn crockford_like_input_parses_exactly(raw in "[0-9A-Za-z]{26}") {
            if let Ok(id) = UserId::parse(&raw) {
                prop_assert_eq!(id.to_string(), raw.to_uppercase());
            }
        }
    }
}
