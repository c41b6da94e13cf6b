//! The course's timer, where the course asks for one (`show_timer` and a
//! `timelimit`): the time left, in whole seconds. It ticks only while it
//! shows — the loop wakes when the shown second changes, so the screen is
//! redrawn at most once a second for it, and never once the time is up.

use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timer {
    /// When the time is up.
    ends_at: Instant,
    /// The whole seconds left, as shown (rounded up: 0 only when it is up).
    pub left: u64,
}

impl Timer {
    pub fn new(ends_at: Instant, now: Instant) -> Timer {
        Timer {
            ends_at,
            left: seconds_left(ends_at, now),
        }
    }

    /// Time passed: the seconds left as of `now`.
    pub fn tick(&mut self, now: Instant) {
        self.left = seconds_left(self.ends_at, now);
    }

    /// When the shown second changes next; None once the time is up.
    pub fn next_tick(&self) -> Option<Instant> {
        let change = self.left.checked_sub(1)?;
        self.ends_at.checked_sub(Duration::from_secs(change))
    }

    /// "⏱ 52:07 left", "⏱ 1:02:07 left", "⏱ time is up".
    pub fn label(&self) -> String {
        if self.left == 0 {
            return "⏱ time is up".into();
        }
        let (h, m, s) = (self.left / 3600, self.left / 60 % 60, self.left % 60);
        if h > 0 {
            format!("⏱ {h}:{m:02}:{s:02} left")
        } else {
            format!("⏱ {m}:{s:02} left")
        }
    }
}

impl super::App {
    /// Shows the course's time left, up at `ends_at` (the loop knows when
    /// the course started).
    pub fn start_timer(&mut self, ends_at: Instant, now: Instant) {
        self.timer = Some(Timer::new(ends_at, now));
    }
}

fn seconds_left(ends_at: Instant, now: Instant) -> u64 {
    let left = ends_at.saturating_duration_since(now);
    left.as_secs() + u64::from(left.subsec_nanos() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_wakes_once_per_shown_second_and_not_after_the_end() {
        let now = Instant::now();
        let ends = now + Duration::from_millis(2500);
        let mut timer = Timer::new(ends, now);
        assert_eq!(timer.left, 3);
        assert_eq!(timer.label(), "⏱ 0:03 left");
        let next = timer.next_tick().unwrap();
        assert_eq!(next, ends - Duration::from_secs(2));
        // Just before: the same second; at it: the next.
        timer.tick(next - Duration::from_millis(1));
        assert_eq!(timer.left, 3);
        timer.tick(next);
        assert_eq!(timer.left, 2);
        assert!(timer.next_tick().unwrap() > next, "always later");
        timer.tick(ends);
        assert_eq!(timer.left, 0);
        assert_eq!(timer.next_tick(), None);
        assert_eq!(timer.label(), "⏱ time is up");
    }

    #[test]
    fn hours_show_when_there_are_some() {
        let now = Instant::now();
        let timer = Timer::new(now + Duration::from_secs(3 * 3600 + 62), now);
        assert_eq!(timer.label(), "⏱ 3:01:02 left");
        let timer = Timer::new(now + Duration::from_secs(59 * 60), now);
        assert_eq!(timer.label(), "⏱ 59:00 left");
    }
}
