//! Why a member reports another (POST /users/{id}/report): one of a fixed set, so the
//! admin queue can be sorted and counted by kind.

/// Defines a closed set of lowercase words (a request field such as a report's reason or
/// outcome): the enum with serde and schema, `ALL`, `as_str`, an exact `parse` refusing
/// anything else with `refusal`, and `Display`. One macro, so every such set parses alike.
macro_rules! word_enum {
    ($(#[$doc:meta])* $name:ident, refusal = $refusal:literal, { $($(#[$vdoc:meta])* $variant:ident => $word:literal,)+ }) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        // `rename_all`, not a per-variant `rename = $word`: utoipa does not see a rename
        // whose value is a macro fragment, and served the variant names. Each word is its
        // variant in snake case (tested: `each_reason_has_one_spelling`, `the_schema_lists_the_words`).
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every value.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The serialised form.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }

            /// Exactly one of the serialised forms.
            pub fn parse(raw: &str) -> Result<Self, $crate::domain::Invalid> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|value| value.as_str() == raw)
                    .ok_or_else(|| $crate::domain::Invalid::new($refusal))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use word_enum;

word_enum!(
    /// The kind of abuse a report names, serialised lowercase (`"harassment"`).
    ReportReason,
    refusal = "must be harassment, spam, inappropriate, fraud, safety or other",
    {
        /// Unwanted, hostile or threatening contact.
        Harassment => "harassment",
        /// Advertising or repeated unwanted messages.
        Spam => "spam",
        /// Content unsuitable for the platform.
        Inappropriate => "inappropriate",
        /// Cheating, scams or impersonation.
        Fraud => "fraud",
        /// Someone may be in danger.
        Safety => "safety",
        /// Anything else (the details say what).
        Other => "other",
    }
);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn each_reason_has_one_spelling() {
        for &reason in ReportReason::ALL {
            assert_eq!(ReportReason::parse(reason.as_str()).unwrap(), reason);
            assert_eq!(serde_json::to_string(&reason).unwrap(), format!("\"{reason}\""));
            assert_eq!(serde_json::from_str::<ReportReason>(&format!("\"{reason}\"")).unwrap(), reason);
        }
        for wrong in ["Spam", " spam", "", "abuse"] {
            assert!(ReportReason::parse(wrong).is_err(), "{wrong:?}");
            assert!(serde_json::from_value::<ReportReason>(serde_json::json!(wrong)).is_err());
        }
    }

    #[test]
    fn the_schema_lists_the_words() {
        let served = |schema: utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>| {
            serde_json::to_value(schema).unwrap()["enum"].clone()
        };
        let words = |all: &[&str]| serde_json::json!(all);
        let reasons: Vec<&str> = ReportReason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(served(<ReportReason as utoipa::PartialSchema>::schema()), words(&reasons));
        let outcomes: Vec<&str> = crate::domain::ReportOutcome::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(served(<crate::domain::ReportOutcome as utoipa::PartialSchema>::schema()), words(&outcomes));
    }

    proptest! {
        #[test]
        fn only_the_listed_words_parse(raw in "\\PC{0,16}") {
            match ReportReason::parse(&raw) {
                Ok(reason) => prop_assert_eq!(reason.as_str(), raw.as_str()),
                Err(_) => prop_assert!(ReportReason::ALL.iter().all(|r| r.as_str() != raw)),
            }
        }
    }
}
