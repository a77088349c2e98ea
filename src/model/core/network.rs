//! The social network: undirected ties in fixed-capacity slots (no allocation while stepping).

/// Undirected ties with at most `max_degree` per resident.
#[derive(Clone, Debug)]
pub struct Network {
    max_degree: usize,
    degree: Vec<u8>,
    /// Resident i's ties are `slots[i * max_degree..][..degree[i]]`.
    slots: Vec<u32>,
}

impl Network {
    pub fn new(n_residents: usize, max_degree: usize) -> Network {
        assert!((1..=255).contains(&max_degree), "max_degree fits a u8");
        Network { max_degree, degree: vec![0; n_residents], slots: vec![0; n_residents * max_degree] }
    }

    pub fn max_degree(&self) -> usize {
        self.max_degree
    }

    #[inline]
    pub fn degree(&self, resident: u32) -> usize {
        self.degree[resident as usize] as usize
    }

    #[inline]
    pub fn ties(&self, resident: u32) -> &[u32] {
        let start = resident as usize * self.max_degree;
        &self.slots[start..start + self.degree(resident)]
    }

    pub fn has_tie(&self, a: u32, b: u32) -> bool {
        self.ties(a).contains(&b)
    }

    /// Adds the tie a-b if both have room and it is new; returns whether it was added.
    pub fn link(&mut self, a: u32, b: u32) -> bool {
        let full = |r: u32| self.degree(r) >= self.max_degree;
        if a == b || full(a) || full(b) || self.has_tie(a, b) {
            return false;
        }
        self.push(a, b);
        self.push(b, a);
        true
    }

    fn push(&mut self, from: u32, to: u32) {
        let d = self.degree(from);
        self.slots[from as usize * self.max_degree + d] = to;
        self.degree[from as usize] += 1;
    }

    /// Removes `to` from `from`'s ties (one direction only), keeping the rest in order.
    fn remove_one_way(&mut self, from: u32, to: u32) {
        let start = from as usize * self.max_degree;
        let d = self.degree(from);
        if let Some(pos) = self.slots[start..start + d].iter().position(|&x| x == to) {
            self.slots.copy_within(start + pos + 1..start + d, start + pos);
            self.degree[from as usize] -= 1;
        }
    }

    /// Drops every tie of `resident` to someone outside `keep`; calls `on_drop` for each
    /// former neighbour (used to keep neighbours' counts of active ties right).
    pub fn drop_ties_outside(&mut self, resident: u32, keep: std::ops::Range<u32>, mut on_drop: impl FnMut(u32)) {
        let former: Vec<u32> = self.ties(resident).iter().copied().filter(|t| !keep.contains(t)).collect();
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

    #[test]
    fn links_are_symmetric_unique_and_capped() {
        let mut net = Network::new(4, 2);
        assert!(net.link(0, 1));
        assert!(!net.link(1, 0), "no duplicate");
        assert!(!net.link(2, 2), "no self tie");
        assert!(net.link(0, 2));
        assert!(!net.link(0, 3), "0 is full");
        assert_eq!(net.ties(0), &[1, 2]);
        assert_eq!(net.ties(1), &[0]);
        assert_eq!(net.ties(2), &[0]);
    }

    #[test]
    fn dropping_ties_outside_a_household() {
        let mut net = Network::new(5, 4);
        net.link(0, 1);
        net.link(0, 3);
        net.link(0, 4);
        let mut dropped = vec![];
        net.drop_ties_outside(0, 0..2, |n| dropped.push(n));
        assert_eq!(dropped, vec![3, 4]);
        assert_eq!(net.ties(0), &[1]);
        assert!(net.ties(3).is_empty() && net.ties(4).is_empty());
    }
}
