//! Complaints waiting for the committee, bucketed by the day their outcome is known.

use super::types::ResidentId;

/// A complaint whose outcome (resolved or stalled) is known on its due day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pending {
    pub resident: ResidentId,
    /// The complainant's move-in day, so a newcomer in the same slot is not credited.
    pub move_in_day: i32,
    pub resolved: bool,
}

/// A ring of daily buckets spanning the longest resolution time.
#[derive(Clone, Debug)]
pub struct ComplaintQueue {
    buckets: Vec<Vec<Pending>>,
}

impl ComplaintQueue {
    pub fn new(longest_delay_days: u32) -> ComplaintQueue {
        ComplaintQueue { buckets: vec![Vec::new(); longest_delay_days as usize + 1] }
    }

    /// Files a complaint due `delay` days after `today` (1 <= delay <= the longest delay).
    pub fn file(&mut self, today: u32, delay: u32, pending: Pending) {
        assert!(delay >= 1 && (delay as usize) < self.buckets.len(), "delay within the ring");
        let slot = (today + delay) as usize % self.buckets.len();
        self.buckets[slot].push(pending);
    }

    /// Takes the complaints due on `today`.
    pub fn take_due(&mut self, today: u32) -> Vec<Pending> {
        let slot = today as usize % self.buckets.len();
        std::mem::take(&mut self.buckets[slot])
    }

    pub fn len(&self) -> usize {
        self.buckets.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complaints_come_due_on_their_day() {
        let mut queue = ComplaintQueue::new(5);
        let p = |resident| Pending { resident: ResidentId(resident), move_in_day: 0, resolved: true };
        queue.file(10, 5, p(1));
        queue.file(10, 1, p(2));
        queue.file(12, 3, p(3));
        assert_eq!(queue.take_due(11), vec![p(2)]);
        assert_eq!(queue.take_due(15), vec![p(1), p(3)]);
        assert!(queue.is_empty());
    }
}
