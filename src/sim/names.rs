//! Readable, unique user ids (`alice-chen`, `alice-chen-2`, …) for simulated attendees.
//!
//! Dashboards are judged by eye, so ids look like people rather than `user-48213`. The pairs of
//! first and last names are shuffled once per seed; when a crowd outgrows the pairs, a numeric
//! suffix keeps ids unique.

use rand::Rng;
use rand::seq::SliceRandom;

const FIRST: [&str; 64] = [
    "alice", "bruno", "chloe", "diego", "emma", "farah", "gabriel", "hana", "ivan", "julia",
    "kenji", "laura", "marco", "nadia", "omar", "priya", "quentin", "rosa", "samir", "tara",
    "umar", "vera", "wei", "ximena", "yusuf", "zoe", "amara", "ben", "carla", "dmitri", "elif",
    "felix", "grace", "hugo", "ines", "jonas", "kira", "leo", "maya", "nils", "olga", "paolo",
    "rania", "sofia", "theo", "ulla", "victor", "wanda", "yara", "zane", "anika", "boris",
    "celine", "dara", "eitan", "fatima", "goran", "helena", "isaac", "jade", "kofi", "lina",
    "mateo", "noor",
];

const LAST: [&str; 64] = [
    "chen",
    "silva",
    "martin",
    "garcia",
    "novak",
    "khan",
    "dubois",
    "tanaka",
    "petrov",
    "rossi",
    "sato",
    "moreau",
    "bianchi",
    "haddad",
    "ali",
    "sharma",
    "lefevre",
    "lopez",
    "nasser",
    "singh",
    "farouk",
    "kowalski",
    "zhang",
    "ortiz",
    "demir",
    "walsh",
    "okafor",
    "meyer",
    "costa",
    "ivanov",
    "yilmaz",
    "berg",
    "kim",
    "fischer",
    "santos",
    "lund",
    "ito",
    "romano",
    "das",
    "larsen",
    "popescu",
    "ricci",
    "mansour",
    "alvarez",
    "nguyen",
    "virtanen",
    "kovacs",
    "horvat",
    "suzuki",
    "mensah",
    "ahmed",
    "weber",
    "jansen",
    "herrera",
    "park",
    "dahl",
    "morales",
    "popov",
    "brennan",
    "abbasi",
    "lindqvist",
    "mwangi",
    "reyes",
    "hoffmann",
];

/// Ids of the machine participants (recorders, captioning, relays) that Stream counts as
/// tech users.
pub(crate) const TECH_USERS: [&str; 4] = [
    "recording-bot",
    "captions-bot",
    "rtmp-relay",
    "moderation-bot",
];

/// Hands out the n-th readable id of a seeded shuffle.
pub(crate) struct NameBook {
    pairs: Vec<(u8, u8)>,
}

impl NameBook {
    pub(crate) fn shuffled(rng: &mut impl Rng) -> NameBook {
        let mut pairs: Vec<(u8, u8)> = (0..FIRST.len())
            .flat_map(|f| (0..LAST.len()).map(move |l| (f as u8, l as u8)))
            .collect();
        pairs.shuffle(rng);
        NameBook { pairs }
    }

    /// The id of the `index`-th person; distinct indices give distinct ids.
    pub(crate) fn id(&self, index: usize) -> String {
        let (first, last) = self.pairs[index % self.pairs.len()];
        let round = index / self.pairs.len();
        let base = format!("{}-{}", FIRST[usize::from(first)], LAST[usize::from(last)]);
        if round == 0 {
            base
        } else {
            format!("{base}-{}", round + 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    #[test]
    fn ids_are_readable_and_unique_beyond_the_pairs() {
        let book = NameBook::shuffled(&mut StdRng::seed_from_u64(1));
        let count = FIRST.len() * LAST.len() * 2 + 5;
        let ids: HashSet<String> = (0..count).map(|i| book.id(i)).collect();
        assert_eq!(ids.len(), count);
        let first = book.id(0);
        assert_eq!(first.split('-').count(), 2, "{first}");
        assert!(book.id(FIRST.len() * LAST.len()).ends_with("-2"));
    }
}
