//! A mentor as search and matching see them: the "card" stored in every listing.

use serde::{Deserialize, Serialize};

use super::{
    AccountStatus, DisplayName, Headline, Interval, Languages, MentorStats, Price, Role, Skills, Slot, TimeSet,
    Timezone, User, UserId, VerificationStatus, WeeklyAvailability,
};

/// A member's free time within `window`, in UTC: weekly availability in their own zone,
/// less the sessions already booked. Empty without a time zone (windows without a zone mean
/// nothing). The one definition matching, search and requests all use.
pub fn free_time(
    availability: &WeeklyAvailability,
    timezone: Option<Timezone>,
    booked: &[Slot],
    window: &Interval,
) -> TimeSet {
    let Some(tz) = timezone else { return TimeSet::default() };
    let weekly = TimeSet::weekly(availability, tz, window);
    if booked.is_empty() {
        return weekly;
    }
    weekly.subtract(&TimeSet::from_intervals(booked.iter().map(Slot::interval).collect()))
}

/// Everything needed to filter, rank and show a mentor without reading their user item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MentorCard {
    /// The mentor.
    pub id: UserId,
    /// Display name.
    pub name: DisplayName,
    /// One line under the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<Headline>,
    /// Skills with level.
    pub skills: Skills,
    /// Languages the mentor holds sessions in.
    pub languages: Languages,
    /// The mentor's time zone (availability is local to it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<Timezone>,
    /// Weekly availability, local time.
    pub availability: WeeklyAvailability,
    /// Hourly price (absent: not set, treated as free).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<Price>,
    /// Reviews, response time, load.
    pub stats: MentorStats,
    /// Confirmed sessions still to come: not free time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub booked: Vec<Slot>,
}

impl MentorCard {
    /// The card for `user` when they should be found: an active, verified mentor.
    pub fn of(user: &User) -> Option<Self> {
        let listed = user.roles.contains(Role::Mentor)
            && user.status == AccountStatus::Active
            && user.verification == VerificationStatus::Verified;
        listed.then(|| Self {
            id: user.id.clone(),
            name: user.name.clone(),
            headline: user.profile.headline.clone(),
            skills: user.profile.skills.clone(),
            languages: user.profile.languages.clone(),
            timezone: user.profile.timezone,
            availability: user.profile.availability.clone(),
            price: user.profile.price,
            stats: user.mentor,
            booked: user.booked.clone(),
        })
    }

    /// The mentor's free time within `window` (see [`free_time`]).
    pub fn free_time(&self, window: &Interval) -> TimeSet {
        free_time(&self.availability, self.timezone, &self.booked, window)
    }

    /// The price in cents, free when unset.
    pub fn price_cents(&self) -> u32 {
        self.price.map_or(0, Price::cents)
    }
}
