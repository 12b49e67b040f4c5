//! Seeded, portable random streams: one per source of randomness.
//!
//! Each stream is seeded from `(run seed, stream name)`, so adding a component (a new
//! stream) never changes the draws of another, and two designs run with one seed see the
//! very same workload (common random numbers). PCG is used because `rand_pcg` promises
//! the same output on every platform and version, unlike `StdRng`/`SmallRng`.

/// The generator behind every stream: PCG 128-bit MCG with XSL-RR 64-bit output.
pub type SimRng = rand_pcg::Pcg64Mcg;

/// The 128-bit seed of stream `name` in a run seeded with `seed`.
///
/// FNV-1a hashes the name (stable across Rust versions, unlike `std::hash`), then
/// SplitMix64 mixes it with the seed so that nearby seeds give unrelated streams.
pub fn stream_seed(seed: u64, name: &str) -> u128 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut state = seed ^ h.rotate_left(32);
    let hi = splitmix64(&mut state);
    let lo = splitmix64(&mut state);
    (u128::from(hi) << 64) | u128::from(lo)
}

/// A generator for stream `name` of a run seeded with `seed`.
pub fn stream_rng(seed: u64, name: &str) -> SimRng {
    SimRng::new(stream_seed(seed, name))
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_are_reproducible_and_independent() {
        let a1: Vec<u64> = (0..4)
            .map({
                let mut r = stream_rng(42, "arrivals");
                move |_| r.next_u64()
            })
            .collect();
        let a2: Vec<u64> = (0..4)
            .map({
                let mut r = stream_rng(42, "arrivals");
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a1, a2, "same seed and name, same draws");
        assert_ne!(stream_seed(42, "arrivals"), stream_seed(42, "routing"));
        assert_ne!(stream_seed(42, "arrivals"), stream_seed(43, "arrivals"));
    }

    #[test]
    fn the_first_draw_is_pinned_so_a_dependency_bump_cannot_silently_change_runs() {
        // Recorded once from this implementation; if it changes, every saved run changes.
        let mut r = stream_rng(1, "workload/arrivals");
        let first = r.next_u64();
        assert_eq!(first, PINNED_FIRST_DRAW, "got {first:#x}");
    }

    const PINNED_FIRST_DRAW: u64 = 0x34ea_fb1d_18aa_4743;
}
