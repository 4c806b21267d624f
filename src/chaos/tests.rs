use super::*;
use crate::respond::prefer::Fault;

fn op(doc: &str) -> std::sync::Arc<Operation> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("orders.yaml");
    std::fs::write(&path, doc).unwrap();
    let contract = crate::contract::Contract::load(&crate::contract::SpecPaths {
        paths: vec![path],
        mounts: Vec::new(),
        options: Default::default(),
    })
    .unwrap();
    contract.operations().next().unwrap().clone()
}

const DOC: &str = r#"
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /orders/{id}:
    get:
      operationId: getOrder
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses:
        "200": {description: ok}
        "404": {description: missing}
        "5XX": {description: broken}
"#;

#[test]
fn legacy_flags_draw_as_before_and_preferences_are_the_requests() {
    let c = Chaos::new(Vec::new(), Some((10, 20)), 0.5, 7, false);
    let a: Vec<Decision> = (0..50).map(|n| c.decide(None, true, n)).collect();
    let b: Vec<Decision> = (0..50).map(|n| c.decide(None, true, n)).collect();
    assert_eq!(a, b);
    assert!(a.iter().all(|d| {
        let ms = d.delay.unwrap().as_millis();
        (10..=20).contains(&ms)
    }));
    let faults = a
        .iter()
        .filter(|d| matches!(d.action, Some(Action::Fault(_))))
        .count();
    assert!((10..40).contains(&faults), "{faults} of 50");
    // The same draws as `delivery::plan` made before chaos existed.
    let r = derive_seed(7, "fault", "0");
    let p = (r >> 11) as f64 / (1u64 << 53) as f64;
    let expected = (p < 0.5).then_some(if r & 1 == 0 {
        Fault::Reset
    } else {
        Fault::Empty
    });
    assert_eq!(
        a[0].action.map(|x| match x {
            Action::Fault(f) => f,
            _ => unreachable!(),
        }),
        expected
    );
    assert_eq!(Chaos::default().decide(None, true, 0), Decision::default());
}

#[test]
fn slow_picks_a_share_of_answers_for_the_latency() {
    let rule = "latency=1000..2000,slow=0.1".parse().unwrap();
    let c = Chaos::new(vec![rule], None, 0.0, 5, false);
    let slow = (0..1000)
        .filter(|n| c.decide(None, true, *n).delay.is_some())
        .count();
    assert!((50..150).contains(&slow), "{slow} of 1000");
}

#[test]
fn only_declared_errors_replace_and_outages_prefer_a_declared_503() {
    let op = op(DOC);
    assert_eq!(declared_errors(&op), [404, 500]);
    let all = |rule: &str| Chaos::new(vec![rule.parse().unwrap()], None, 0.0, 3, false);
    let c = all("rate=1");
    for n in 0..40 {
        match c.decide(Some(&op), true, n).action {
            Some(Action::Status {
                status,
                declared: true,
                outage: None,
            }) => {
                assert!([404, 500].contains(&status))
            }
            other => panic!("{other:?}"),
        }
        // A request that broke the contract keeps its rejection.
        assert_eq!(c.decide(Some(&op), false, n).action, None);
    }
    // 429 is not declared: never injected, unless allowed.
    assert_eq!(
        all("rate=1,statuses=429").decide(Some(&op), true, 0).action,
        None
    );
    let allowed = Chaos::new(
        vec!["rate=1,statuses=429".parse().unwrap()],
        None,
        0.0,
        3,
        true,
    );
    assert_eq!(
        allowed.decide(Some(&op), true, 0).action,
        Some(Action::Status {
            status: 429,
            declared: false,
            outage: None
        })
    );
    // 5XX declares 503: an outage answers it; without, it resets.
    let c = all("outage=every 4s for 2s");
    let at = |s: u64| c.decide_at(Some(&op), true, 0, Duration::from_millis(s));
    assert_eq!(at(1000).action, None);
    assert!(matches!(
        at(3000).action,
        Some(Action::Status {
            status: 503,
            outage: Some(_),
            ..
        })
    ));
    let no503 = self::op(&DOC.replace("\"5XX\": {description: broken}", ""));
    let at = c.decide_at(Some(&no503), true, 0, Duration::from_millis(3000));
    assert_eq!(at.action, Some(Action::Reset));
    // A rule naming another operation does not apply.
    assert_eq!(
        all("operation=other,rate=1")
            .decide(Some(&op), true, 0)
            .action,
        None
    );
    assert!(
        all("operation=getOrder,rate=1")
            .decide(Some(&op), true, 0)
            .action
            .is_some()
    );
}
