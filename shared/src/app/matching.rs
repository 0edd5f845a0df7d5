//! Smart match and mentor search.

use std::collections::{HashMap, HashSet};

use chrono::Duration;

use super::{App, AppError, admitted};
use crate::domain::matching::rank;
use crate::domain::{Bearer, Interval, Invalid, Match, MentorCard, MentorQuery, Skill, SortOrder, User, UserId};
use crate::ports::{AccountStore, Listing, ListingOrder, MentorDirectory};

/// Most candidates read for one match or one search, whatever the table size: the
/// bound that keeps a request's cost flat from 10 to 100,000 mentors.
pub const CANDIDATE_CAP: usize = 300;

/// What a learner asks the matcher for.
#[derive(Debug, Clone)]
pub struct MatchRequest {
    /// Wanted skills; `None` uses the learner's profile (`learning`).
    pub wanted: Option<Vec<Skill>>,
    /// How many matches to return.
    pub limit: usize,
    /// How many days ahead availability overlap is counted.
    pub window_days: u32,
}

/// Ranked matches and how many candidates were weighed.
#[derive(Debug)]
pub struct MatchOutcome {
    /// Best first.
    pub matches: Vec<Match>,
    /// Candidates scored before the limit was applied.
    pub considered: usize,
}

/// One page of search results.
#[derive(Debug)]
pub struct SearchPage {
    /// The mentors on this page, in the query's order.
    pub mentors: Vec<MentorCard>,
    /// Offset of the next page, when there is one.
    pub next_offset: Option<usize>,
    /// True when the candidate cap was reached, so more mentors may exist beyond it.
    pub truncated: bool,
}

impl<S: AccountStore + MentorDirectory> App<S> {
    /// Ranks verified mentors for a learner: skills, shared free time, rating,
    /// responsiveness and load. Excludes the learner, blocked members, and mentors who
    /// share no language with a learner who listed languages.
    pub async fn match_mentors(&self, learner: &Bearer, request: MatchRequest) -> Result<MatchOutcome, AppError> {
        let (me, blocked) =
            futures_util::future::join(self.store.user(&learner.member), self.store.blocks_with(&learner.member)).await;
        let me = admitted(me?, learner)?;
        let blocked = blocked?;
        let wanted = request.wanted.unwrap_or_else(|| me.profile.learning.as_slice().to_vec());
        if wanted.is_empty() {
            return Err(AppError::Rule {
                field: "skills",
                reason: Invalid::new("name the skills you want to learn (?skills=rust:3) or add them to your profile"),
            });
        }
        let share = CANDIDATE_CAP / wanted.len().max(1);
        let listings: Vec<Listing> = wanted.iter().map(|skill| Listing::Skill(skill.name().clone())).collect();
        let reads = listings.iter().map(|listing| self.store.listed(listing, ListingOrder::Rank, share));
        let mut candidates: HashMap<UserId, MentorCard> = HashMap::new();
        for listed in futures_util::future::join_all(reads).await {
            for card in listed? {
                candidates.entry(card.id.clone()).or_insert(card);
            }
        }
        let now = self.clock.now();
        let window = Interval::new(now, now + Duration::days(i64::from(request.window_days)))
            .map_err(|reason| AppError::Rule { field: "window", reason })?;
        let learner_free = me.free_time(&window);
        let candidates: Vec<(MentorCard, f64)> = candidates
            .into_values()
            .filter(|card| card.id != me.id && !blocked.contains(&card.id) && shares_language(&me, card))
            .map(|card| {
                // The mentor's free time already excludes sessions they have booked.
                let overlap = learner_free.intersect(&card.free_time(&window)).total().num_minutes() as f64 / 60.0;
                (card, overlap)
            })
            .collect();
        let considered = candidates.len();
        let mut matches = rank(&wanted, candidates, request.window_days);
        matches.truncate(request.limit);
        Ok(MatchOutcome { matches, considered })
    }

    /// Searches listed mentors: candidates from the first skill's listing (or all
    /// mentors), read in the order asked for, then filtered and ordered in memory.
    pub async fn search_mentors(
        &self,
        searcher: &Bearer,
        query: &MentorQuery,
        offset: usize,
        page_size: usize,
    ) -> Result<SearchPage, AppError> {
        let listing = query.skills.first().map_or(Listing::AllMentors, |skill| Listing::Skill(skill.clone()));
        let order = match query.sort {
            SortOrder::Relevance | SortOrder::Rating => ListingOrder::Rank,
            SortOrder::PriceAsc => ListingOrder::PriceAsc,
            SortOrder::PriceDesc => ListingOrder::PriceDesc,
        };
        let (admitted, listed, blocked) = futures_util::join!(
            self.admit(searcher),
            self.store.listed(&listing, order, CANDIDATE_CAP),
            self.store.blocks_with(&searcher.member),
        );
        admitted?;
        let listed = listed?;
        let blocked: HashSet<UserId> = blocked?;
        let truncated = listed.len() >= CANDIDATE_CAP;
        let mut accepted: Vec<MentorCard> =
            listed.into_iter().filter(|card| !blocked.contains(&card.id) && query.accepts(card)).collect();
        query.order(&mut accepted);
        let end = (offset + page_size).min(accepted.len());
        let mentors = accepted.get(offset..end).map(<[MentorCard]>::to_vec).unwrap_or_default();
        let next_offset = (end < accepted.len()).then_some(end);
        Ok(SearchPage { mentors, next_offset, truncated })
    }
}

/// A session needs a common language: true when the learner listed none, or when the
/// mentor speaks one of them (by primary language: "pt" and "pt-BR" meet).
fn shares_language(learner: &User, card: &MentorCard) -> bool {
    let primary = |tag: &str| tag.split('-').next().unwrap_or_default().to_owned();
    learner.profile.languages.is_empty()
        || learner
            .profile
            .languages
            .iter()
            .any(|mine| card.languages.iter().any(|theirs| primary(theirs.as_str()) == primary(mine.as_str())))
}
