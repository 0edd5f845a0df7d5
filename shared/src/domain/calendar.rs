//! iCalendar (RFC 5545) files for sessions, so participants can add them to their calendars.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::{Booking, SessionState};

/// Most octets on one content line, not counting the CRLF (RFC 5545 section 3.1).
const MAX_LINE_OCTETS: usize = 75;

/// A VCALENDAR holding one VEVENT for `booking`, stamped `now`, as RFC 5545 text.
///
/// The UID is stable per session and SEQUENCE is the booking's version, so a calendar that
/// imports a later copy updates the event instead of adding another. Times are written in UTC.
pub fn ics_event(
    booking: &Booking,
    mentor_name: &str,
    learner_name: &str,
    organizer_email: &str,
    now: DateTime<Utc>,
) -> String {
    let link = booking.meeting_link.as_deref().filter(|link| !link.trim().is_empty());
    let mut description = format!("Mentor: {mentor_name}\nLearner: {learner_name}");
    if let Some(link) = link {
        // Writing to a String cannot fail.
        let _ = write!(description, "\nMeeting link: {link}");
    }

    let mut lines = vec![
        "BEGIN:VCALENDAR".to_owned(),
        "VERSION:2.0".to_owned(),
        "PRODID:-//Peerlearn//Sessions//EN".to_owned(),
        "CALSCALE:GREGORIAN".to_owned(),
        "METHOD:PUBLISH".to_owned(),
        "BEGIN:VEVENT".to_owned(),
        format!("UID:{}@peerlearn", booking.id),
        format!("DTSTAMP:{}", utc(now)),
        format!("DTSTART:{}", utc(booking.slot.start())),
        format!("DTEND:{}", utc(booking.slot.end())),
        format!("SEQUENCE:{}", booking.version),
        format!("STATUS:{}", status(booking.state)),
        format!("SUMMARY:{}", text(&format!("Peerlearn: {}", booking.topic))),
        format!("DESCRIPTION:{}", text(&description)),
    ];
    if let Some(link) = link {
        lines.push(format!("LOCATION:{}", text(link)));
        lines.push(format!("URL:{}", uri(link)));
    }
    lines.push(format!("ORGANIZER;CN=Peerlearn:mailto:{}", uri(organizer_email)));
    lines.push("END:VEVENT".to_owned());
    lines.push("END:VCALENDAR".to_owned());

    let mut out = String::new();
    for line in &lines {
        fold_into(&mut out, line);
    }
    out
}

/// The event status a calendar shows for a session in `state`.
fn status(state: SessionState) -> &'static str {
    match state {
        // Not yet agreed (or, for Accepted, not yet paid for): it may still not happen.
        SessionState::Requested | SessionState::Accepted => "TENTATIVE",
        // A no-show still took the time on both calendars; only the other party was absent.
        SessionState::Confirmed | SessionState::Completed | SessionState::NoShow => "CONFIRMED",
        SessionState::Cancelled | SessionState::Rejected | SessionState::Expired => "CANCELLED",
    }
}

/// A UTC DATE-TIME in the form `YYYYMMDDTHHMMSSZ`.
fn utc(instant: DateTime<Utc>) -> String {
    instant.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Escapes a TEXT value: backslash, semicolon and comma get a backslash, line breaks become `\n`.
///
/// Other control characters (bar tab) are not allowed in TEXT, so they are dropped.
fn text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            // CRLF and a lone CR are line breaks too.
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A URI or CAL-ADDRESS value, which has no escaping: control characters are dropped so a
/// stray line break in stored data cannot start a property of its own.
fn uri(raw: &str) -> String {
    raw.chars().filter(|c| !c.is_control()).collect()
}

/// Appends `line` folded to at most 75 octets per physical line, each ending in CRLF.
///
/// Continuation lines start with a space, which counts towards their 75 octets. Folds fall
/// between UTF-8 characters, never inside one, so each physical line stays valid UTF-8.
fn fold_into(out: &mut String, line: &str) {
    let mut room = MAX_LINE_OCTETS;
    for c in line.chars() {
        if c.len_utf8() > room {
            out.push_str("\r\n ");
            room = MAX_LINE_OCTETS - 1;
        }
        out.push(c);
        room -= c.len_utf8();
    }
    out.push_str("\r\n");
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::booking::{Actor, Move, Party, Policy, SessionId, SessionLength, Slot, SlotStart};
    use crate::domain::{ShortText, UserId};
    use chrono::TimeZone;
    use icalendar::{CalendarComponent, CalendarDateTime, Component, DatePerhapsTime, EventLike};
    use proptest::prelude::*;
    use ulid::Ulid;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0).unwrap()
    }

    fn booking(topic: &str, link: Option<&str>) -> Booking {
        let slot = Slot::new(SlotStart::new(at(15, 30)).unwrap(), SessionLength::Min90);
        let mut b = Booking::request(
            SessionId::parse("01ARZ3NDEKTSV4RRFFQ69G5FAV").unwrap(),
            UserId::new(Ulid(1)),
            UserId::new(Ulid(2)),
            slot,
            ShortText::parse(topic).unwrap(),
            None,
            at(9, 0),
        )
        .unwrap();
        b.meeting_link = link.map(str::to_owned);
        b
    }

    /// The one event in `ics`, parsed by an independent reader.
    fn parse_event(ics: &str) -> icalendar::Event {
        let calendar: icalendar::Calendar = ics.parse().unwrap();
        let mut events = calendar.components.into_iter().filter_map(|c| match c {
            CalendarComponent::Event(event) => Some(event),
            _ => None,
        });
        let event = events.next().unwrap();
        assert!(events.next().is_none(), "exactly one event");
        event
    }

    fn utc_of(value: Option<DatePerhapsTime>) -> DateTime<Utc> {
        match value.unwrap() {
            DatePerhapsTime::DateTime(CalendarDateTime::Utc(instant)) => instant,
            other => panic!("not a UTC date-time: {other:?}"),
        }
    }

    /// Every physical line ends in CRLF and is at most 75 octets.
    fn assert_well_formed(ics: &str) {
        assert!(ics.ends_with("\r\n"));
        for line in ics.split_inclusive('\n') {
            assert!(line.ends_with("\r\n"), "{line:?} does not end in CRLF");
            let body = &line[..line.len() - 2];
            assert!(!body.contains('\r') && !body.contains('\n'), "{line:?}");
            assert!(body.len() <= MAX_LINE_OCTETS, "{body:?} is {} octets", body.len());
        }
    }

    /// Undoes folding: every CRLF followed by a space joins the lines.
    fn unfold(ics: &str) -> String {
        ics.replace("\r\n ", "")
    }

    #[test]
    fn event_parses_with_the_booking_details() {
        let b = booking("Rust, traits; lifetimes \\ more", Some("https://meet.example.com/abc?x=1;y=2,z"));
        let ics = ics_event(&b, "Ada Lovelace", "Alan Turing", "sessions@peerlearn.example", at(10, 0));
        assert_well_formed(&ics);
        let event = parse_event(&ics);
        assert_eq!(event.get_uid(), Some("01ARZ3NDEKTSV4RRFFQ69G5FAV@peerlearn"));
        assert_eq!(utc_of(event.get_start()), at(15, 30));
        assert_eq!(utc_of(event.get_end()), at(17, 0));
        assert_eq!(event.get_timestamp(), Some(at(10, 0)));
        assert_eq!(event.get_summary(), Some("Peerlearn: Rust, traits; lifetimes \\ more"));
        assert_eq!(event.get_url(), Some("https://meet.example.com/abc?x=1;y=2,z"));
        assert_eq!(event.get_location(), Some("https://meet.example.com/abc?x=1;y=2,z"));
        assert_eq!(
            event.get_description(),
            Some("Mentor: Ada Lovelace\nLearner: Alan Turing\nMeeting link: https://meet.example.com/abc?x=1;y=2,z")
        );
        assert_eq!(event.get_sequence(), Some(1));
        assert_eq!(event.get_status(), Some(icalendar::EventStatus::Tentative));
        assert_eq!(event.property_value("ORGANIZER"), Some("mailto:sessions@peerlearn.example"));

        // The escapes are really in the text, not just tolerated by the reader.
        assert!(ics.contains("SUMMARY:Peerlearn: Rust\\, traits\\; lifetimes \\\\ more\r\n"));
        assert!(ics.contains("DTSTART:20260504T153000Z\r\n"));
        assert!(ics.contains("DTEND:20260504T170000Z\r\n"));
        assert!(ics.contains("DTSTAMP:20260504T100000Z\r\n"));
        assert!(ics.contains("ORGANIZER;CN=Peerlearn:mailto:sessions@peerlearn.example\r\n"));
    }

    #[test]
    fn calendar_header_and_structure() {
        let ics = ics_event(&booking("Maths", None), "M", "L", "o@example.com", at(10, 0));
        let lines: Vec<&str> = ics.split("\r\n").collect();
        assert_eq!(
            &lines[..6],
            [
                "BEGIN:VCALENDAR",
                "VERSION:2.0",
                "PRODID:-//Peerlearn//Sessions//EN",
                "CALSCALE:GREGORIAN",
                "METHOD:PUBLISH",
                "BEGIN:VEVENT"
            ]
        );
        assert_eq!(&lines[lines.len() - 3..], ["END:VEVENT", "END:VCALENDAR", ""]);
        let calendar: icalendar::Calendar = ics.parse().unwrap();
        assert_eq!(calendar.property_value("PRODID"), Some("-//Peerlearn//Sessions//EN"));
        assert_eq!(calendar.property_value("METHOD"), Some("PUBLISH"));
        assert_eq!(calendar.property_value("CALSCALE"), Some("GREGORIAN"));
    }

    #[test]
    fn without_a_link_there_is_no_location_or_url() {
        for link in [None, Some(""), Some("  ")] {
            let ics = ics_event(&booking("Maths", link), "M", "L", "o@example.com", at(10, 0));
            let event = parse_event(&ics);
            assert_eq!(event.get_url(), None);
            assert_eq!(event.get_location(), None);
            assert_eq!(event.get_description(), Some("Mentor: M\nLearner: L"));
        }
    }

    #[test]
    fn status_and_sequence_follow_the_booking() {
        let policy = Policy::default();
        let b = booking("Maths", None);
        let (confirmed, _) = b.apply(Actor::Participant(Party::Mentor), Move::Accept, at(10, 0), &policy).unwrap();
        let (cancelled, _) = confirmed.apply(Actor::Admin, Move::Cancel { reason: None }, at(11, 0), &policy).unwrap();
        for (booking, status, sequence) in [
            (&b, icalendar::EventStatus::Tentative, 1),
            (&confirmed, icalendar::EventStatus::Confirmed, 2),
            (&cancelled, icalendar::EventStatus::Cancelled, 3),
        ] {
            let event = parse_event(&ics_event(booking, "M", "L", "o@example.com", at(12, 0)));
            assert_eq!(event.get_status(), Some(status));
            assert_eq!(event.get_sequence(), Some(sequence));
            assert_eq!(event.get_uid(), Some("01ARZ3NDEKTSV4RRFFQ69G5FAV@peerlearn"), "the UID is stable");
        }
        assert_eq!(status(SessionState::Accepted), "TENTATIVE");
        assert_eq!(status(SessionState::Completed), "CONFIRMED");
        assert_eq!(status(SessionState::NoShow), "CONFIRMED");
        assert_eq!(status(SessionState::Rejected), "CANCELLED");
        assert_eq!(status(SessionState::Expired), "CANCELLED");
    }

    #[test]
    fn long_description_is_folded_and_reads_back() {
        let mentor = "Ada Lovelace, Countess of Lovelace; first programmer ".repeat(3);
        let learner = "Zoë Ødegård-Æbelø 日本語の学生 🚀🚀🚀 ".repeat(4);
        let link = format!("https://meet.example.com/{}", "a".repeat(150));
        let ics = ics_event(&booking("Maths", Some(&link)), &mentor, &learner, "o@example.com", at(10, 0));
        assert_well_formed(&ics);
        assert!(ics.contains("\r\n "), "long lines are folded");
        let event = parse_event(&ics);
        let expected = format!("Mentor: {mentor}\nLearner: {learner}\nMeeting link: {link}");
        assert_eq!(event.get_description(), Some(expected.as_str()));
        assert_eq!(event.get_url(), Some(link.as_str()));
        // The first physical line of a folded property uses the full 75 octets when ASCII.
        let url_line = ics.split("\r\n").find(|l| l.starts_with("URL:")).unwrap();
        assert_eq!(url_line.len(), 75);
    }

    #[test]
    fn folding_never_splits_a_character() {
        // 74 ASCII octets then a 4-octet emoji: it cannot fit and moves whole to the next line.
        let mut out = String::new();
        fold_into(&mut out, &format!("{}🚀b", "a".repeat(74)));
        assert_eq!(out, format!("{}\r\n 🚀b\r\n", "a".repeat(74)));
        let mut out = String::new();
        fold_into(&mut out, &"a".repeat(75));
        assert_eq!(out, format!("{}\r\n", "a".repeat(75)), "exactly 75 octets is not folded");
        let mut out = String::new();
        fold_into(&mut out, &"a".repeat(76));
        assert_eq!(out, format!("{}\r\n a\r\n", "a".repeat(75)));
    }

    #[test]
    fn text_escaping() {
        assert_eq!(text("a\\b;c,d\ne"), "a\\\\b\\;c\\,d\\ne");
        assert_eq!(text("crlf\r\nlone\rcr"), "crlf\\nlone\\ncr");
        assert_eq!(text("tab\tbell\u{7}esc\u{1b}"), "tab\tbellesc");
        assert_eq!(text("colon: fine"), "colon: fine");
    }

    #[test]
    fn injected_line_breaks_cannot_add_properties() {
        let mut b = booking("Maths", Some("https://x.example\r\nATTENDEE:mailto:evil@example.com"));
        b.version = 7;
        let ics = ics_event(&b, "M\r\nX-EVIL:1", "L", "o@example.com\r\nX-EVIL:2", at(10, 0));
        assert_well_formed(&ics);
        for line in ics.split("\r\n") {
            assert!(!line.starts_with("ATTENDEE") && !line.starts_with("X-EVIL"), "{line:?}");
        }
        let event = parse_event(&ics);
        assert_eq!(event.get_url(), Some("https://x.exampleATTENDEE:mailto:evil@example.com"));
        assert_eq!(event.get_sequence(), Some(7));
    }

    proptest! {
        #[test]
        fn any_text_stays_well_formed_and_reads_back(
            mentor in "[a-zA-Z ,;:\\\\\"'é日🚀]{1,200}",
            learner in "\\PC{1,200}",
            topic in "[a-zA-Z0-9 ,;:\\\\é日🚀]{1,120}",
        ) {
            prop_assume!(!topic.trim().is_empty());
            let b = booking(&topic, Some("https://meet.example.com/room"));
            let ics = ics_event(&b, &mentor, &learner, "o@example.com", at(10, 0));
            assert_well_formed(&ics);
            // Unfolding restores each logical line exactly.
            let unfolded = unfold(&ics);
            let summary = format!("SUMMARY:{}", text(&format!("Peerlearn: {}", b.topic)));
            prop_assert!(unfolded.split("\r\n").any(|l| l == summary));
            let event = parse_event(&ics);
            let expected_summary = format!("Peerlearn: {}", b.topic);
            prop_assert_eq!(event.get_summary(), Some(expected_summary.as_str()));
            let expected = format!("Mentor: {mentor}\nLearner: {learner}\nMeeting link: https://meet.example.com/room");
            prop_assert_eq!(event.get_description(), Some(expected.as_str()));
        }
    }
}
