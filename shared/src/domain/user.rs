//! A platform member: account facts, public profile, and the rules for changing them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::payments::LateCancelPolicy;
use super::{
    AcademicDetails, Bio, DisplayName, Email, Headline, Invalid, Languages, MentorStats, Price, Roles, Skills, Slot,
    Standing, Timezone, UserId, VerificationStatus, WeeklyAvailability,
};

/// Whether a member may act on the platform.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    /// May use the platform.
    #[default]
    Active,
    /// Stopped by an admin: may read nothing and do nothing until restored.
    Suspended,
}

/// What a member tells others about themself. Every part may be empty at first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Profile {
    /// One line under the name ("Rust mentor, 10 years in embedded").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<Headline>,
    /// Free text about the member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bio: Option<Bio>,
    /// Institution, programme and year of study (absent when none is given).
    // Skipped when empty: DynamoDB Local's stream writes an empty map as `{}` with no type,
    // which no SDK can read, so no item carries an empty map.
    #[serde(default, skip_serializing_if = "AcademicDetails::is_empty")]
    pub academic: AcademicDetails,
    /// Skills with self-assessed level.
    #[serde(default)]
    pub skills: Skills,
    /// What the member wants to learn, each with the level they want to reach.
    #[serde(default)]
    pub learning: Skills,
    /// Languages the member can hold a session in.
    #[serde(default)]
    pub languages: Languages,
    /// The member's IANA time zone; availability is read in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<Timezone>,
    /// Weekly windows, in `timezone`, when the member can meet.
    #[serde(default)]
    pub availability: WeeklyAvailability,
    /// A mentor's hourly price; unset means free.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Price>,
    /// What a mentor refunds a learner who cancels a paid session with less than 24 hours'
    /// notice: 0, 50 or 100 percent (more notice is always a full refund).
    #[serde(default, rename = "late_cancel_refund_percent")]
    #[schema(value_type = u8)]
    pub late_cancel: LateCancelPolicy,
}

/// A member of the platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Stable identifier.
    pub id: UserId,
    /// Sign-in address; never shown to other members.
    pub email: Email,
    /// Name shown to others.
    pub name: DisplayName,
    /// Learner, mentor, admin.
    pub roles: Roles,
    /// Active or suspended.
    pub status: AccountStatus,
    /// The member followed a link mailed to `email`: only then may they book paid
    /// sessions or ask to be verified as a mentor.
    pub email_verified: bool,
    /// The phone number the member proved with a texted code, if any.
    pub phone: Option<super::PhoneNumber>,
    /// Access tokens issued before this instant are refused (set by a suspension, kept by
    /// the restore, so tokens from before a suspension never work again).
    pub tokens_not_before: Option<DateTime<Utc>>,
    /// Mentor verification by an admin; only verified mentors are matched and found.
    pub verification: VerificationStatus,
    /// A mentor's track record (reviews, response time, load).
    pub mentor: MentorStats,
    /// Confirmed sessions still to come, as mentor or learner: matching and search take
    /// them out of the member's free time.
    pub booked: Vec<Slot>,
    /// Public profile.
    pub profile: Profile,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When the account last changed.
    pub updated_at: DateTime<Utc>,
    /// Optimistic-concurrency counter: bumped on every change.
    pub version: u64,
}

/// What to do with an optional field in a change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Change<T> {
    /// Leave as it is (the field was absent).
    #[default]
    Keep,
    /// Remove the value (the field was `null`).
    Clear,
    /// Replace the value.
    Set(T),
}

/// A validated set of profile edits; absent parts leave the profile as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProfileChanges {
    /// New display name.
    pub name: Option<DisplayName>,
    /// New, or cleared, headline.
    pub headline: Change<Headline>,
    /// New, or cleared, bio.
    pub bio: Change<Bio>,
    /// Replaces the academic details as a whole.
    pub academic: Option<AcademicDetails>,
    /// Replaces the skill list as a whole.
    pub skills: Option<Skills>,
    /// Replaces the wanted-skills list as a whole.
    pub learning: Option<Skills>,
    /// New, or cleared, hourly price.
    pub price: Change<Price>,
    /// A new late-cancel refund.
    pub late_cancel: Option<LateCancelPolicy>,
    /// Replaces the language list as a whole.
    pub languages: Option<Languages>,
    /// New time zone (a time zone cannot be removed once availability depends on it).
    pub timezone: Option<Timezone>,
    /// Replaces the weekly availability as a whole.
    pub availability: Option<WeeklyAvailability>,
}

/// A change refused by a profile rule, with the field it concerns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ProfileRuleBroken {
    /// The request field at fault.
    pub field: &'static str,
    /// Why.
    pub reason: Invalid,
}

impl User {
    /// Whether the member may act, and which of their tokens are honoured.
    pub fn standing(&self) -> Standing {
        Standing { status: self.status, tokens_not_before: self.tokens_not_before }
    }

    /// An admin who may act: the last of them cannot be suspended.
    pub fn is_active_admin(&self) -> bool {
        self.status == AccountStatus::Active && self.roles.contains(super::Role::Admin)
    }

    /// The member suspended at `now`: hidden from search and match (a suspended member has
    /// no mentor card), every token issued so far refused. `None` when already suspended,
    /// so a rerun changes nothing.
    pub fn suspended(&self, now: DateTime<Utc>) -> Option<User> {
        (self.status == AccountStatus::Active).then(|| User {
            status: AccountStatus::Suspended,
            tokens_not_before: Some(super::tokens_not_before(now)),
            updated_at: now,
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// The member restored at `now`: visible and able to sign in again. Tokens from before
    /// the suspension stay refused. `None` when not suspended.
    pub fn restored(&self, now: DateTime<Utc>) -> Option<User> {
        (self.status == AccountStatus::Suspended).then(|| User {
            status: AccountStatus::Active,
            updated_at: now,
            version: self.version + 1,
            ..self.clone()
        })
    }

    /// The member's free time within `window`, less their booked sessions.
    pub fn free_time(&self, window: &super::Interval) -> super::TimeSet {
        super::listing::free_time(&self.profile.availability, self.profile.timezone, &self.booked, window)
    }
}

impl ProfileChanges {
    /// True when the request changes nothing.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// Applies the changes to `user`, checking the rules that span fields.
    pub fn apply(self, user: &User, now: DateTime<Utc>) -> Result<User, ProfileRuleBroken> {
        let mut next = user.clone();
        let profile = &mut next.profile;
        if let Some(name) = self.name {
            // Verification vouched for the old name (see verification.rs): a verified
            // mentor who changes it is unverified until an admin checks again.
            if name != next.name {
                next.verification = next.verification.after_evidence_changed();
            }
            next.name = name;
        }
        apply_change(&mut profile.headline, self.headline);
        apply_change(&mut profile.bio, self.bio);
        if let Some(academic) = self.academic {
            profile.academic = academic;
        }
        if let Some(skills) = self.skills {
            profile.skills = skills;
        }
        if let Some(learning) = self.learning {
            profile.learning = learning;
        }
        apply_change(&mut profile.price, self.price);
        if let Some(late_cancel) = self.late_cancel {
            profile.late_cancel = late_cancel;
        }
        if let Some(languages) = self.languages {
            profile.languages = languages;
        }
        if let Some(timezone) = self.timezone {
            profile.timezone = Some(timezone);
        }
        if let Some(availability) = self.availability {
            profile.availability = availability;
        }
        // Availability windows are local times: without a zone they mean nothing.
        if !profile.availability.is_empty() && profile.timezone.is_none() {
            return Err(ProfileRuleBroken {
                field: "timezone",
                reason: Invalid::new("is required when availability is set"),
            });
        }
        next.updated_at = now;
        next.version = user.version + 1;
        Ok(next)
    }
}

fn apply_change<T>(slot: &mut Option<T>, change: Change<T>) {
    match change {
        Change::Keep => {}
        Change::Clear => *slot = None,
        Change::Set(value) => *slot = Some(value),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::{AvailabilityWindow, TimeOfDay, Weekday};

    fn member() -> User {
        let now = DateTime::parse_from_rfc3339("2026-11-01T10:00:00Z").unwrap().to_utc();
        User {
            id: UserId::new(ulid::Ulid::nil()),
            email: Email::parse("ana@example.com").unwrap(),
            name: DisplayName::parse("Ana").unwrap(),
            roles: Roles::from_requested("learner").unwrap(),
            status: AccountStatus::Active,
            email_verified: true,
            phone: None,
            tokens_not_before: None,
            verification: VerificationStatus::Unverified,
            mentor: MentorStats::default(),
            booked: Vec::new(),
            profile: Profile::default(),
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    #[test]
    fn suspending_refuses_every_token_so_far_and_restoring_keeps_that() {
        let now = DateTime::parse_from_rfc3339("2026-11-02T10:00:00.250Z").unwrap().to_utc();
        let before = now - chrono::Duration::minutes(5);
        let suspended = member().suspended(now).unwrap();
        assert_eq!(suspended.version, 2);
        assert_eq!(suspended.standing().admits(before), Err(crate::domain::Refusal::Suspended));
        assert!(suspended.suspended(now).is_none(), "a second suspension changes nothing");
        let restored = suspended.restored(now).unwrap();
        assert_eq!(restored.status, AccountStatus::Active);
        assert_eq!(restored.standing().admits(before), Err(crate::domain::Refusal::Revoked));
        assert_eq!(restored.standing().admits(now + chrono::Duration::seconds(1)), Ok(()));
        assert!(restored.restored(now).is_none());
    }

    fn evenings() -> WeeklyAvailability {
        let window = AvailabilityWindow::new(
            Weekday::Mon,
            TimeOfDay::parse("18:00").unwrap(),
            TimeOfDay::parse("21:00").unwrap(),
        )
        .unwrap();
        WeeklyAvailability::new(vec![window]).unwrap()
    }

    #[test]
    fn availability_without_timezone_is_refused() {
        let changes = ProfileChanges { availability: Some(evenings()), ..Default::default() };
        let err = changes.apply(&member(), Utc::now()).unwrap_err();
        assert_eq!(err.field, "timezone");
    }

    #[test]
    fn availability_with_timezone_in_same_change_is_accepted() {
        let changes = ProfileChanges {
            availability: Some(evenings()),
            timezone: Some(Timezone::parse("Europe/Madrid").unwrap()),
            ..Default::default()
        };
        let user = changes.apply(&member(), Utc::now()).unwrap();
        assert_eq!(user.profile.availability, evenings());
        assert_eq!(user.version, 2);
    }

    #[test]
    fn clear_removes_and_keep_leaves() {
        let mut user = member();
        user.profile.headline = Some(Headline::parse("Rust").unwrap());
        user.profile.bio = Some(Bio::parse("Hi").unwrap());
        let changes = ProfileChanges { headline: Change::Clear, ..Default::default() };
        let next = changes.apply(&user, Utc::now()).unwrap();
        assert_eq!(next.profile.headline, None);
        assert_eq!(next.profile.bio, user.profile.bio);
    }

    #[test]
    fn a_verified_mentor_who_changes_name_is_unverified() {
        let verified = User { verification: VerificationStatus::Verified, ..member() };
        let renamed = ProfileChanges { name: Some(DisplayName::parse("Ana Lopez").unwrap()), ..Default::default() };
        assert_eq!(renamed.clone().apply(&verified, Utc::now()).unwrap().verification, VerificationStatus::Unverified);
        let same = ProfileChanges { name: Some(DisplayName::parse("Ana").unwrap()), ..Default::default() };
        assert_eq!(same.apply(&verified, Utc::now()).unwrap().verification, VerificationStatus::Verified);
        let headline = ProfileChanges { headline: Change::Set(Headline::parse("Rust").unwrap()), ..Default::default() };
        assert_eq!(headline.apply(&verified, Utc::now()).unwrap().verification, VerificationStatus::Verified);
        let pending = User { verification: VerificationStatus::Pending, ..member() };
        assert_eq!(renamed.apply(&pending, Utc::now()).unwrap().verification, VerificationStatus::Pending);
    }

    #[test]
    fn empty_changes_are_recognised() {
        assert!(ProfileChanges::default().is_empty());
        let changes = ProfileChanges { headline: Change::Clear, ..Default::default() };
        assert!(!changes.is_empty());
    }
}
