//! An upload's identifier.

ulid_id! {
    /// An upload (a document or an avatar): chosen by the server when the upload is
    /// offered, and part of its object keys, so a client never names an object.
    UploadId
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ulid::Ulid;

    #[test]
    fn parses_the_canonical_form_only() {
        let id = UploadId::parse("01ARZ3NDEKTSV4RRFFQ69G5FAV").unwrap();
        assert_eq!(id.to_string(), "01ARZ3NDEKTSV4RRFFQ69G5FAV");
        for bad in ["", "../../etc/passwd", "01ARZ3NDEKTSV4RRFFQ69G5FA", "01ARZ3NDEKTSV4RRFFQ69G5FA/"] {
            assert!(UploadId::parse(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn any_ulid_round_trips_and_is_safe_in_a_key(n in any::<u128>()) {
            let id = UploadId::new(Ulid(n));
            let text = id.to_string();
            prop_assert!(text.bytes().all(|b| b.is_ascii_alphanumeric()));
            prop_assert_eq!(UploadId::parse(&text), Ok(id));
        }
    }
}
