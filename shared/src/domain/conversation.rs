//! The id of the one conversation between two members.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use super::{Invalid, UserId};

/// Why a "conversation" of one member with themself is refused.
const SAME_MEMBER: &str = "a conversation needs two different members";

/// A sample id for the API schema.
const EXAMPLE: &str = "01ARZ3NDEKTSV4RRFFQ69G5FAV-01BX5ZZKBKACTAV9WEVGEMMVRY";

/// The id of the one conversation between two different members.
///
/// Its text form is the two user ids joined by `-`, the smaller first, so either member
/// derives the same id without a lookup and a pair can never have two conversations. The
/// members are kept alongside the text so reading them back needs no re-parse.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ConversationId(String, [UserId; 2]);

string_newtype_impls!(ConversationId);

impl ConversationId {
    /// The conversation between `a` and `b`, in either order; refuses `a == b`.
    pub fn between(a: &UserId, b: &UserId) -> Result<Self, Invalid> {
        // UserId order is ULID order, which is also the order of their text forms.
        let members = match a.cmp(b) {
            Ordering::Less => [a.clone(), b.clone()],
            Ordering::Greater => [b.clone(), a.clone()],
            Ordering::Equal => return Err(Invalid::new(SAME_MEMBER)),
        };
        let [low, high] = &members;
        Ok(Self(format!("{low}-{high}"), members))
    }

    /// Parses the canonical text form only: two different uppercase user ids joined by `-`,
    /// the smaller first.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        const REASON: &str = "must be two user ids joined by -, the smaller first";
        let Some((a, b)) = raw.split_once('-') else {
            return Err(Invalid::new(REASON));
        };
        let (Ok(a), Ok(b)) = (UserId::parse(a), UserId::parse(b)) else {
            return Err(Invalid::new(REASON));
        };
        let id = Self::between(&a, &b)?;
        // UserId accepts lowercase and between accepts either order; one conversation must
        // have exactly one spelling, since the text is a storage key.
        if id.0 != raw {
            return Err(Invalid::new(REASON));
        }
        Ok(id)
    }

    /// Both members, the smaller id first.
    pub fn members(&self) -> [&UserId; 2] {
        self.1.each_ref()
    }

    /// Whether `user` is one of the two members.
    pub fn includes(&self, user: &UserId) -> bool {
        self.1.contains(user)
    }

    /// The member who is not `me`, or `None` if `me` is not a member.
    pub fn other(&self, me: &UserId) -> Option<&UserId> {
        match &self.1 {
            [low, high] if low == me => Some(high),
            [low, high] if high == me => Some(low),
            _ => None,
        }
    }
}

// By hand: the derive cannot give a two-field struct a plain string schema.
impl utoipa::PartialSchema for ConversationId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("The two members' user ids joined by -, the smaller first"))
            .examples([EXAMPLE])
            .into()
    }
}

impl utoipa::ToSchema for ConversationId {}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ulid::Ulid;

    const LOW: &str = "01ARZ3NDEKTSV4RRFFQ69G5FAV";
    const HIGH: &str = "01BX5ZZKBKACTAV9WEVGEMMVRY";
    const THIRD: &str = "01HZZZZZZZZZZZZZZZZZZZZZZZ";

    fn user(raw: &str) -> UserId {
        UserId::parse(raw).unwrap()
    }

    #[test]
    fn between_is_canonical_in_either_order() {
        let (low, high) = (user(LOW), user(HIGH));
        let id = ConversationId::between(&high, &low).unwrap();
        assert_eq!(id, ConversationId::between(&low, &high).unwrap());
        assert_eq!(id.as_str(), EXAMPLE);
        assert_eq!(id.to_string(), EXAMPLE);
        assert_eq!(id.members(), [&low, &high]);
    }

    #[test]
    fn between_refuses_one_member_twice() {
        let low = user(LOW);
        assert_eq!(ConversationId::between(&low, &low).unwrap_err().reason(), SAME_MEMBER);
    }

    #[test]
    fn other_and_includes() {
        let (low, high, third) = (user(LOW), user(HIGH), user(THIRD));
        let id = ConversationId::between(&low, &high).unwrap();
        assert_eq!(id.other(&low), Some(&high));
        assert_eq!(id.other(&high), Some(&low));
        assert_eq!(id.other(&third), None);
        assert!(id.includes(&low) && id.includes(&high));
        assert!(!id.includes(&third));
    }

    #[test]
    fn parses_canonical_form() {
        let id = ConversationId::parse(EXAMPLE).unwrap();
        assert_eq!(id, ConversationId::between(&user(LOW), &user(HIGH)).unwrap());
        assert_eq!(id.members(), [&user(LOW), &user(HIGH)]);
    }

    #[test]
    fn refuses_non_canonical_forms() {
        let reason = "must be two user ids joined by -, the smaller first";
        for bad in [
            String::new(),
            LOW.to_owned(),
            format!("{HIGH}-{LOW}"), // wrong order
            EXAMPLE.to_lowercase(),
            format!("{}-{HIGH}", LOW.to_lowercase()),
            format!("{LOW}_{HIGH}"),
            format!("{LOW}--{HIGH}"),
            format!("{LOW}-{HIGH}-"),
            format!("-{LOW}-{HIGH}"),
            format!(" {EXAMPLE}"),
            format!("{EXAMPLE} "),
            format!("{LOW}-{HIGH}-{THIRD}"),
            format!("{LOW}-"),
            format!("{LOW}-81ARZ3NDEKTSV4RRFFQ69G5FAV"), // overflows 128 bits
        ] {
            assert_eq!(ConversationId::parse(&bad).unwrap_err().reason(), reason, "{bad:?}");
        }
        assert_eq!(ConversationId::parse(&format!("{LOW}-{LOW}")).unwrap_err().reason(), SAME_MEMBER);
    }

    #[test]
    fn conversions_go_through_parse() {
        let id = ConversationId::parse(EXAMPLE).unwrap();
        assert_eq!(EXAMPLE.parse::<ConversationId>().unwrap(), id);
        assert_eq!(ConversationId::try_from(EXAMPLE).unwrap(), id);
        assert_eq!(ConversationId::try_from(EXAMPLE.to_owned()).unwrap(), id);
        assert_eq!(String::from(id.clone()), EXAMPLE);
        assert_eq!(id.as_ref(), EXAMPLE);
        assert!(ConversationId::try_from(format!("{HIGH}-{LOW}")).is_err());
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let id = ConversationId::parse(EXAMPLE).unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{EXAMPLE}\""));
        assert_eq!(serde_json::from_str::<ConversationId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ConversationId>(&format!("\"{HIGH}-{LOW}\"")).is_err());
        assert!(serde_json::from_str::<ConversationId>(&format!("\"{LOW}-{LOW}\"")).is_err());
        assert!(serde_json::from_str::<ConversationId>("[1, 2]").is_err());
    }

    #[test]
    fn schema_is_a_string() {
        let schema = serde_json::to_value(<ConversationId as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(schema["type"], "string");
        assert_eq!(schema["examples"][0], EXAMPLE);
    }

    proptest! {
        #[test]
        fn between_is_symmetric_and_round_trips(a in any::<u128>(), b in any::<u128>()) {
            prop_assume!(a != b);
            let (a, b) = (UserId::new(Ulid(a)), UserId::new(Ulid(b)));
            let id = ConversationId::between(&a, &b).unwrap();
            prop_assert_eq!(ConversationId::between(&b, &a).unwrap(), id.clone());
            // Through Display, the form other code will store and send.
            let text = id.to_string();
            prop_assert_eq!(ConversationId::parse(&text), Ok(id.clone()));
            let json = serde_json::to_string(&id).unwrap();
            prop_assert_eq!(serde_json::from_str::<ConversationId>(&json).unwrap(), id.clone());
            // The smaller id comes first in the text, by string order as well as ULID order.
            let [low, high] = id.members();
            prop_assert!(low.to_string() < high.to_string());
            prop_assert_eq!(id.as_str(), format!("{low}-{high}"));
        }

        #[test]
        fn other_finds_the_other_member(a in any::<u128>(), b in any::<u128>(), c in any::<u128>()) {
            prop_assume!(a != b && c != a && c != b);
            let (a, b, c) = (UserId::new(Ulid(a)), UserId::new(Ulid(b)), UserId::new(Ulid(c)));
            let id = ConversationId::between(&a, &b).unwrap();
            prop_assert_eq!(id.other(&a), Some(&b));
            prop_assert_eq!(id.other(&b), Some(&a));
            prop_assert!(id.includes(&a) && id.includes(&b));
            prop_assert!(!id.includes(&c));
            prop_assert_eq!(id.other(&c), None);
        }

        #[test]
        fn same_member_is_refused(a in any::<u128>()) {
            let a = UserId::new(Ulid(a));
            let err = ConversationId::between(&a, &a).unwrap_err();
            prop_assert_eq!(err.reason(), SAME_MEMBER);
        }

        #[test]
        fn arbitrary_input_never_panics_and_parses_exactly(raw in any::<String>()) {
            if let Ok(id) = ConversationId::parse(&raw) {
                prop_assert_eq!(id.as_str(), raw.as_str());
            }
        }

        #[test]
        fn id_like_input_parses_only_in_order(
            first in "[0-7][0-9A-HJKMNP-TV-Z]{25}",
            second in "[0-7][0-9A-HJKMNP-TV-Z]{25}",
        ) {
            let raw = format!("{first}-{second}");
            let parsed = ConversationId::parse(&raw);
            prop_assert_eq!(parsed.is_ok(), first < second, "{:?}", parsed);
            if let Ok(id) = parsed {
                prop_assert_eq!(id.as_str(), raw.as_str());
                prop_assert_eq!(id.members(), [&user(&first), &user(&second)]);
            }
        }
    }
}
