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

pub mod academic;
pub mod availability;
pub mod booking;
pub mod calendar;
pub mod email;
pub mod invalid;
pub mod language;
pub mod listing;
pub mod matching;
pub mod mentor;
pub mod password;
pub mod review;
pub mod role;
pub mod schedule;
pub mod search;
pub mod skill;
pub mod text;
pub mod timezone;
pub mod user;
pub mod user_id;

pub use academic::{AcademicDetails, StudyYear};
pub use availability::{AvailabilityWindow, TimeOfDay, Weekday, WeeklyAvailability};
pub use booking::{
    Actor, Booking, Cancellation, CancelledBy, Effect, Move, MoveRefused, Party, Policy, Proposal, RequestRefused,
    SessionId, SessionLength, SessionState, Slot, SlotStart,
};
pub use email::Email;
pub use invalid::Invalid;
pub use language::{Language, Languages};
pub use listing::MentorCard;
pub use matching::{Factors, Match};
pub use mentor::{MentorStats, Price, VerificationStatus};
pub use password::Password;
pub use review::{Rating, Review, ReviewText};
pub use role::{Role, Roles};
pub use schedule::{Interval, TimeSet};
pub use search::{MentorQuery, SearchText, SortOrder};
pub use skill::{Skill, SkillLevel, SkillName, Skills};
pub use text::{Bio, DisplayName, Headline, ShortText};
pub use timezone::Timezone;
pub use user::{AccountStatus, Change, Profile, ProfileChanges, ProfileRuleBroken, User};
pub use user_id::UserId;
