//! Every file in `scenarios/` parses and runs briefly with a fixed seed (as Mesa does).

use std::path::Path;

use linli::experiment::parse;

#[test]
fn every_shipped_scenario_runs() {
    let mut files: Vec<_> = std::fs::read_dir("scenarios").unwrap().map(|e| e.unwrap().path()).collect();
    files.retain(|p| p.extension().is_some_and(|e| e == "toml"));
    files.sort();
    assert!(files.len() >= 2, "the default and at least one other community");
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut scenario = parse(&text, &path).unwrap_or_else(|e| panic!("{e}")).scenario;
        scenario.scenario.days = 30;
        scenario.scenario.burn_in_days = 10;
        scenario.scenario.replicates = 2;
        scenario.scenario.seed = 7;
        let output = linli::simulate(&scenario, &|| {});
        let residents: u32 = output.replicates[0].days[29].iter().map(|c| c.core.residents).sum();
        assert_eq!(residents, scenario.community.residents, "{}", path.display());
    }
}

#[test]
fn the_shipped_default_is_the_embedded_default() {
    let text = std::fs::read_to_string("scenarios/wanke-chenghua.toml").unwrap();
    let file = parse(&text, Path::new("scenarios/wanke-chenghua.toml")).unwrap().scenario;
    assert_eq!(file, linli::scenario::default_scenario());
}
