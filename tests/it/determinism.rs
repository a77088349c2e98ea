//! Reproducibility: byte-identical outputs at any thread count; different seeds differ.

use linli::engine::parallel::thread_pool;
use linli::output::timeseries::to_csv;
use linli::simulate::simulate;

use crate::common::small;

fn csv_with_threads(scenario: &linli::Scenario, threads: usize) -> Vec<u8> {
    let output = thread_pool(threads).unwrap().install(|| simulate(scenario, &|| {}));
    to_csv(&output).unwrap()
}

#[test]
fn timeseries_is_byte_identical_at_1_2_and_8_threads() {
    // Larger than one chunk of residents, so a single replicate is itself split across threads.
    let scenario = small(10_685, 90, 3);
    let one = csv_with_threads(&scenario, 1);
    assert_eq!(one, csv_with_threads(&scenario, 2), "2 threads differ from 1");
    assert_eq!(one, csv_with_threads(&scenario, 8), "8 threads differ from 1");
}

#[test]
fn different_seeds_give_different_results() {
    let mut scenario = small(3_000, 60, 1);
    let first = csv_with_threads(&scenario, 2);
    scenario.scenario.seed += 1;
    assert_ne!(first, csv_with_threads(&scenario, 2));
}

#[test]
fn replicates_differ_but_each_is_reproducible_alone() {
    let scenario = small(3_000, 60, 3);
    let all = simulate(&scenario, &|| {});
    assert_ne!(all.replicates[0].days, all.replicates[1].days);
    let alone = linli::simulate::simulate_replicates(&scenario, &[2], &|| {});
    assert_eq!(
        alone.replicates[0].days, all.replicates[2].days,
        "replicate 2 alone equals replicate 2 of the ensemble"
    );
}
