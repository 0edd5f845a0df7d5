//! Domain newtypes: values that can only be built by parsing, so holding one proves it is valid.
//!
//! Every parse returns [`Invalid`] with a reason the user can act on. Serde goes through the
//! same parse, so invalid stored or submitted data fails to deserialise instead of slipping in.

/// Implements the conversions every string newtype shares, all routed through its `parse`.
///
/// Kept as a macro so each type states only its own rules; the boilerplate cannot drift.
macro_rules! string_newtype_impls {
    ($ty:ident) => {
        impl $ty {
            /// The normalised text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::domain::Invalid;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::parse(raw)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::domain::Invalid;

            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = $crate::domain::Invalid;

            fn try_from(raw: &str) -> Result<Self, Self::Error> {
                Self::parse(raw)
            }
        }

        impl From<$ty> for String {
            fn from(value: $ty) -> Self {
                value.0
            }
        }
    };
}

/// Defines an identifier that wraps a ULID (sortable by creation time, minted without
/// coordination), with its exact 26-character text form, serde and schema. One macro, so
/// every id parses and prints alike.
macro_rules! ulid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Its text form is the canonical 26-character uppercase Crockford base32 string.
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
        )]
        #[serde(try_from = "String", into = "String")]
        #[schema(value_type = String, example = "01ARZ3NDEKTSV4RRFFQ69G5FAV")]
        pub struct $name(::ulid::Ulid);

        impl $name {
            /// Wraps a ULID (e.g. a freshly generated `Ulid::new()`).
            pub const fn new(ulid: ::ulid::Ulid) -> Self {
                Self(ulid)
            }

            /// Parses the 26-character Crockford base32 form, in either case.
            ///
            /// Only the canonical form is accepted: no trimming, no `I`/`L`/`O`/`U`
            /// look-alikes, and a first character of at most `7`, since anything larger
            /// would not fit in 128 bits.
            pub fn parse(raw: &str) -> Result<Self, $crate::domain::Invalid> {
                const REASON: &str = "must be a 26-character ULID";
                // The ulid crate silently drops overflowing high bits, so check the first
                // digit here to keep parse and Display exact inverses.
                let canonical_first = raw.as_bytes().first().is_some_and(|b| (b'0'..=b'7').contains(b));
                if raw.len() != 26 || !canonical_first {
                    return Err($crate::domain::Invalid::new(REASON));
                }
                ::ulid::Ulid::from_string(raw).map(Self).map_err(|_| $crate::domain::Invalid::new(REASON))
            }

            /// The underlying ULID.
            pub const fn as_ulid(&self) -> ::ulid::Ulid {
                self.0
            }
        }

        impl From<::ulid::Ulid> for $name {
            fn from(ulid: ::ulid::Ulid) -> Self {
                Self(ulid)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                // Ulid's Display is the canonical uppercase 26-character form.
                ::std::fmt::Display::fmt(&self.0, f)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::domain::Invalid;

            fn from_str(raw: &str) -> Result<Self, Self::Err> {
                Self::parse(raw)
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::domain::Invalid;

            fn try_from(raw: String) -> Result<Self, Self::Error> {
                Self::parse(&raw)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = $crate::domain::Invalid;

            fn try_from(raw: &str) -> Result<Self, Self::Error> {
                Self::parse(raw)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> Self {
                id.to_string()
            }
        }
    };
}

pub mod academic;
pub mod audit;
pub mod availability;
pub mod booking;
pub mod calendar;
pub mod cancel_reason;
pub mod chat;
pub mod client_msg_id;
pub mod committed;
pub mod connection_id;
pub mod conversation;
pub mod display_name;
pub mod email;
pub mod email_check;
pub mod evidence_uploads;
pub mod file_kind;
pub mod gamification;
pub mod idempotency_key;
pub mod invalid;
pub mod language;
pub mod listing;
pub mod matching;
pub mod member_search;
pub mod mentor;
pub mod message_text;
pub mod notification;
pub mod password;
pub mod payments;
pub mod phone_check;
pub mod phone_number;
pub mod price_range;
pub mod rate_limit;
pub mod reason;
pub mod report;
pub mod report_details;
pub mod report_outcome;
pub mod report_reason;
pub mod request_message;
pub mod review;
pub mod role;
pub mod schedule;
pub mod search;
pub mod skill;
pub mod source_address;
pub mod standing;
pub mod stats;
pub mod text;
pub mod time_range;
pub mod timezone;
pub mod upload;
pub mod upload_id;
pub mod upload_purpose;
pub mod user;
pub mod user_id;
pub mod verification;
pub mod verification_id;
pub mod verification_statement;
pub mod wanted_skills;

pub use academic::{AcademicDetails, StudyYear};
pub use audit::{AuditAction, AuditEntry, AuditId};
pub use availability::{AvailabilityWindow, TimeOfDay, Weekday, WeeklyAvailability};
pub use booking::{
    Actor, Booking, Cancellation, CancelledBy, Effect, Move, MoveRefused, Party, Policy, Proposal, RequestRefused,
    SessionId, SessionLength, SessionPayment, SessionState, Slot, SlotStart, TimeTaken,
};
pub use cancel_reason::CancelReason;
pub use chat::{ConversationSummary, Message, MessageId, MessagePreview};
pub use client_msg_id::ClientMsgId;
pub use committed::Committed;
pub use connection_id::ConnectionId;
pub use conversation::ConversationId;
pub use display_name::DisplayName;
pub use email::Email;
pub use email_check::{EmailCheck, IssuedCheck, Mail};
pub use evidence_uploads::EvidenceUploads;
pub use file_kind::FileKind;
pub use idempotency_key::IdempotencyKey;
pub use invalid::Invalid;
pub use language::{Language, Languages};
pub use listing::MentorCard;
pub use matching::{Factors, Match};
pub use member_search::{MemberSearch, MemberText, fold_name};
pub use mentor::{MentorStats, Price, VerificationStatus};
pub use message_text::MessageText;
pub use notification::{Channel, Notification, NotificationId, channels};
pub use password::Password;
pub use phone_check::{CodePurpose, CodeSlot, IssuedCode};
pub use phone_number::{PhoneCountries, PhoneNumber};
pub use price_range::PriceRange;
pub use rate_limit::{Exhausted, LimitKind, Limits, QuotaUse, RateLimit, Scope, Window};
pub use reason::Reason;
pub use report::{Report, ReportId, ReportRefused, ReportState, Resolution, ResolveRefused};
pub use report_details::ReportDetails;
pub use report_outcome::ReportOutcome;
pub use report_reason::ReportReason;
pub use request_message::RequestMessage;
pub use review::{Rating, Review, ReviewText};
pub use role::{Role, Roles};
pub use schedule::{Interval, TimeSet};
pub use search::{MentorQuery, SearchText, SortOrder};
pub use skill::{Skill, SkillLevel, SkillName, Skills};
pub use source_address::SourceAddress;
pub use standing::{Bearer, Refusal, Standing, tokens_not_before};
pub use stats::{Membership, PlatformStats, StatsScope, Tally};
pub use text::{Bio, Headline, ShortText};
pub use time_range::TimeRange;
pub use timezone::Timezone;
pub use upload::{Mismatch, StoredObject, UPLOAD_LINK_TTL, Upload, UploadState};
pub use upload_id::UploadId;
pub use upload_purpose::UploadPurpose;
pub use user::{AccountStatus, Change, Profile, ProfileChanges, ProfileRuleBroken, User};
pub use user_id::UserId;
pub use verification::{Decision, VerificationRefused, VerificationRequest, VerificationState};
pub use verification_id::VerificationId;
pub use verification_statement::VerificationStatement;
pub use wanted_skills::WantedSkills;
