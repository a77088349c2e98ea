//! The social network: undirected ties in fixed-capacity slots (no allocation while stepping).

use super::types::ResidentId;
use crate::engine::prefetch::prefetch;

/// Undirected ties with at most `max_degree` per resident.
#[derive(Clone, Debug)]
pub struct Network {
    max_degree: usize,
    degree: Vec<u8>,
    /// Resident i's ties are `slots[i * max_degree..][..degree[i]]`.
    slots: Vec<ResidentId>,
}

impl Network {
    pub fn new(n_residents: usize, max_degree: usize) -> Network {
        assert!((1..=255).contains(&max_degree), "max_degree fits a u8");
        Network {
            max_degree,
            degree: vec![0; n_residents],
            slots: vec![ResidentId::default(); n_residents * max_degree],
        }
    }

    pub fn max_degree(&self) -> usize {
        self.max_degree
    }

    /// Every resident's number of ties, by resident.
    #[inline]
    pub fn degrees(&self) -> &[u8] {
        &self.degree
    }

    #[inline]
    pub fn degree(&self, resident: ResidentId) -> usize {
        self.degree[resident.index()] as usize
    }

    #[inline]
    pub fn ties(&self, resident: ResidentId) -> &[ResidentId] {
        let start = resident.index() * self.max_degree;
        &self.slots[start..start + self.degree(resident)]
    }

    /// Asks for resident `resident`'s degree and tie slots to be brought into cache.
    #[inline]
    pub fn prefetch(&self, resident: ResidentId) {
        prefetch(&self.degree, resident.index());
        prefetch(&self.slots, resident.index() * self.max_degree);
    }

    pub fn has_tie(&self, a: ResidentId, b: ResidentId) -> bool {
        self.ties(a).contains(&b)
    }

    /// Adds the tie a-b if both have room and it is new; returns whether it was added.
    pub fn link(&mut self, a: ResidentId, b: ResidentId) -> bool {
        let full = |r: ResidentId| self.degree(r) >= self.max_degree;
        if a == b || full(a) || full(b) || self.has_tie(a, b) {
            return false;
        }
        self.push(a, b);
        self.push(b, a);
        true
    }

    fn push(&mut self, from: ResidentId, to: ResidentId) {
        let d = self.degree(from);
        self.slots[from.index() * self.max_degree + d] = to;
        self.degree[from.index()] += 1;
    }

    /// Removes `to` from `from`'s ties (one direction only), keeping the rest in order.
    fn remove_one_way(&mut self, from: ResidentId, to: ResidentId) {
        let start = from.index() * self.max_degree;
        let d = self.degree(from);
        if let Some(pos) = self.slots[start..start + d].iter().position(|&x| x == to) {
            self.slots.copy_within(start + pos + 1..start + d, start + pos);
            self.degree[from.index()] -= 1;
        }
    }

    /// Drops every tie of `resident` to someone outside `keep`; calls `on_drop` for each
    /// former neighbour (used to keep neighbours' counts of active ties right).
    pub fn drop_ties_outside(
        &mut self,
        resident: ResidentId,
        keep: std::ops::Range<u32>,
        mut on_drop: impl FnMut(ResidentId),
    ) {
        let former: Vec<ResidentId> = self.ties(resident).iter().copied().filter(|t| !keep.contains(&t.0)).collect();
        for neighbour in former {
            self.remove_one_way(neighbour, resident);
            self.remove_one_way(resident, neighbour);
            on_drop(neighbour);
        }
    }

    /// Heap bytes held by the network.
    pub fn heap_bytes(&self) -> usize {
        self.degree.capacity() + self.slots.capacity() * 4
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const R: [ResidentId; 5] = [ResidentId(0), ResidentId(1), ResidentId(2), ResidentId(3), ResidentId(4)];

    #[test]
    fn links_are_symmetric_unique_and_capped() {
        let mut net = Network::new(4, 2);
        assert!(net.link(R[0], R[1]));
        assert!(!net.link(R[1], R[0]), "no duplicate");
        assert!(!net.link(R[2], R[2]), "no self tie");
        assert!(net.link(R[0], R[2]));
        assert!(!net.link(R[0], R[3]), "0 is full");
        assert_eq!(net.ties(R[0]), &[R[1], R[2]]);
        assert_eq!(net.ties(R[1]), &[R[0]]);
        assert_eq!(net.ties(R[2]), &[R[0]]);
    }

    #[test]
    fn dropping_ties_outside_a_household() {
        let mut net = Network::new(5, 4);
        net.link(R[0], R[1]);
        net.link(R[0], R[3]);
        net.link(R[0], R[4]);
        let mut dropped = vec![];
        net.drop_ties_outside(R[0], 0..2, |n| dropped.push(n));
        assert_eq!(dropped, vec![R[3], R[4]]);
        assert_eq!(net.ties(R[0]), &[R[1]]);
        assert!(net.ties(R[3]).is_empty() && net.ties(R[4]).is_empty());
    }
}
