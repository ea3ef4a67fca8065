//! How far a sync is: its phase and, while indexing, how many commits are done. The job
//! writes it to the sync run every heartbeat; `gitdash-worker index` draws it as a bar.

/// The steps of a sync, in order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Phase {
    #[default]
    Starting,
    Fetching,
    ReadingHistory,
    Indexing,
    CleaningUp,
    Summarising,
    Done,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Starting => "starting",
            Phase::Fetching => "fetching",
            Phase::ReadingHistory => "reading history",
            Phase::Indexing => "indexing",
            Phase::CleaningUp => "cleaning up",
            Phase::Summarising => "summarising",
            Phase::Done => "done",
        }
    }
}

/// What the sync is doing, for progress bars and the sync run's `progress` column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    pub phase: Phase,
    pub done: u64,
    pub total: u64,
}

impl Progress {
    pub fn at(phase: Phase) -> Self {
        Self { phase, ..Default::default() }
    }

    /// Percent done, never falling as the phases pass: fetching is the first 5 %, indexing
    /// up to 95 %, cleaning up and summarising the rest.
    pub fn percent(&self) -> i32 {
        match self.phase {
            Phase::Starting | Phase::Fetching => 0,
            Phase::ReadingHistory => 5,
            Phase::Indexing if self.total > 0 => 5 + (90 * self.done.min(self.total) / self.total) as i32,
            Phase::Indexing | Phase::CleaningUp => 95,
            Phase::Summarising => 97,
            Phase::Done => 100,
        }
    }

    pub fn describe(&self) -> String {
        match self.phase {
            Phase::Indexing => format!("indexing {} of {} commits", self.done, self.total),
            phase => phase.as_str().to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_never_falls_as_the_phases_pass() {
        let phases = [
            Progress::at(Phase::Starting),
            Progress::at(Phase::Fetching),
            Progress::at(Phase::ReadingHistory),
            Progress { phase: Phase::Indexing, done: 0, total: 10 },
            Progress { phase: Phase::Indexing, done: 10, total: 10 },
            Progress::at(Phase::CleaningUp),
            Progress::at(Phase::Summarising),
            Progress::at(Phase::Done),
        ];
        let percents: Vec<i32> = phases.iter().map(Progress::percent).collect();
        assert!(percents.windows(2).all(|w| w[0] <= w[1]), "{percents:?}");
        assert_eq!(percents.last(), Some(&100));
    }
}
