//! A mentor verification request's identifier.

ulid_id! {
    /// A mentor's verification request; minted from its submission time, so ids sort as
    /// requests were made.
    VerificationId
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;
    use ulid::Ulid;

    use super::*;

    #[test]
    fn parses_the_canonical_form_only() {
        let id = VerificationId::parse("01ARZ3NDEKTSV4RRFFQ69G5FAV").unwrap();
        assert_eq!(id.to_string(), "01ARZ3NDEKTSV4RRFFQ69G5FAV");
        for bad in
            ["", "not-an-id", "01ARZ3NDEKTSV4RRFFQ69G5FA", "81ARZ3NDEKTSV4RRFFQ69G5FAV", " 01ARZ3NDEKTSV4RRFFQ69G5FAV"]
        {
            assert!(VerificationId::parse(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn any_ulid_round_trips(n in any::<u128>()) {
            let id = VerificationId::new(Ulid(n));
            prop_assert_eq!(VerificationId::parse(&id.to_string()), Ok(id));
        }
    }
}
