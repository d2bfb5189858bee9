//! Solve runs, drafts, publishing and re-planning through the API: the whole path from plan
//! to published schedule, and what is refused on the way.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use roster::vocab::UserRole;
use roster_solver::{Pair, check, format};
use serde_json::{Value, json};

use crate::helpers::{Caller, TestApp, spawn_app, spawn_app_without_worker};
use crate::planning::{Planning, deactivate_near, plan, planning, request_body};

/// Waits for a run to leave `queued` and `running`; returns it.
pub async fn settled(admin: &Caller, run: i64) -> Value {
    for _ in 0..600 {
        let r = admin.get(&format!("/api/v1/runs/{run}")).await.ok(200).clone();
        if !matches!(r["status"].as_str(), Some("queued" | "running")) {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("run {run} did not finish");
}

pub async fn start_run(admin: &Caller, body: Value) -> i64 {
    let r = admin.post("/api/v1/runs", body).await;
    r.ok(202)["id"].as_i64().unwrap()
}

pub fn march() -> Value {
    json!({"from": "2027-03-01", "to": "2027-03-31", "time_limit_seconds": 30})
}

/// Publishes a March run in which `session` goes to `person` by hand (or as solved when none).
pub async fn publish_march(admin: &Caller, change: Option<(i64, i64)>) {
    let run = start_run(admin, march()).await;
    assert_eq!(settled(admin, run).await["status"], "finished");
    if let Some((session, person)) = change {
        admin
            .put(
                &format!("/api/v1/runs/{run}/sessions/{session}"),
                json!({"person_ids": [person]}),
            )
            .await
            .ok(200);
    }
    admin
        .post(&format!("/api/v1/runs/{run}/publish"), json!({}))
        .await
        .ok(200);
}

/// The published schedule of March 2027, as `caller` may see it.
pub async fn march_schedule(caller: &Caller) -> Value {
    caller
        .get("/api/v1/schedule?from=2027-03-01&to=2027-03-31")
        .await
        .ok(200)
        .clone()
}

/// A class of two half-days on 1 March 2027 in D01, and a briefing on 2 March in D11.
pub async fn sessions(app: &TestApp, p: &Planning) -> (i64, i64) {
    let (_, planned) = plan(p, true).await;
    let coordinator = app
        .account("ttct.soctrang", UserRole::CenterCoordinator, Some(p.w.center1))
        .await;
    let request = coordinator
        .post(
            "/api/v1/requests",
            request_body(planned, &[("2027-03-01", "morning"), ("2027-03-01", "afternoon")]),
        )
        .await
        .ok(201)["id"]
        .as_i64()
        .unwrap();
    p.admin
        .post(&format!("/api/v1/requests/{request}/accept"), json!({}))
        .await
        .ok(200);
    p.admin
        .post(
            "/api/v1/briefings",
            json!({"topic_id": p.w.resolution, "district_id": p.w.d2, "venue": "Hội trường Huyện ủy Trần Đề",
                   "title": "Quán triệt Nghị quyết Trung ương 8", "audience_level": "province", "rapporteurs": 1,
                   "slots": [{"date": "2027-03-02", "half_day": "morning"}]}),
        )
        .await
        .ok(201);
    (request, planned)
}

/// The lecturer living in D01 falls ill on 1 and 2 March 2027, over the class.
pub async fn near_falls_ill(p: &Planning) {
    p.admin
        .post(
            &format!("/api/v1/people/{}/unavailability", p.near),
            json!({"start": "2027-03-01T00:00:00+07:00", "end": "2027-03-03T00:00:00+07:00", "reason": "Ốm"}),
        )
        .await
        .ok(201);
}

/// Who holds what in a draft or schedule, as (session id, person id), sorted.
pub fn holders(list: &Value, key: &str) -> Vec<(i64, i64)> {
    let mut out: Vec<(i64, i64)> = list
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|x| match key {
            "person_id" => vec![(x["session_id"].as_i64().unwrap(), x["person_id"].as_i64().unwrap())],
            _ => x["person_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| (x["session_id"].as_i64().unwrap(), p.as_i64().unwrap()))
                .collect(),
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn plan_to_published_schedule_then_illness_and_a_replan_that_moves_only_what_it_must() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let (request, _) = sessions(&app, &p).await;

    let run = start_run(&p.admin, march()).await;
    let done = settled(&p.admin, run).await;
    assert_eq!(done["status"], "finished", "{done}");
    let draft = &done["draft"];
    assert_eq!(draft["solver_status"], "optimal");
    assert_eq!(draft["uncovered"].as_array().unwrap().len(), 0, "{draft}");
    let first = holders(&draft["assignments"], "person_id");
    let class_people: Vec<i64> = first
        .iter()
        .filter(|(_, q)| *q != p.rapporteur)
        .map(|(_, q)| *q)
        .collect();
    assert_eq!(
        class_people,
        [p.near, p.near],
        "the lecturer who lives there takes both half-days"
    );
    assert_eq!(draft["changes"].as_array().unwrap().len(), 3, "all new");
    assert!(done["progress"]["incumbent"].is_i64());

    let v1 = p
        .admin
        .post(&format!("/api/v1/runs/{run}/publish"), json!({}))
        .await
        .ok(200)
        .clone();
    assert_eq!((v1["added"].as_i64(), v1["removed"].as_i64()), (Some(3), Some(0)));
    assert_eq!(
        p.admin.get(&format!("/api/v1/requests/{request}")).await.ok(200)["status"],
        "scheduled"
    );
    p.admin
        .post(&format!("/api/v1/runs/{run}/publish"), json!({}))
        .await
        .problem(409, "already_published");
    let schedule = march_schedule(&p.admin).await;
    assert_eq!(holders(&schedule, "person_ids"), first);

    // The lecturer falls ill over the class; the board re-plans.
    near_falls_ill(&p).await;
    let broken = p
        .admin
        .get("/api/v1/schedule/needs-replanning?from=2027-03-01&to=2027-03-31")
        .await
        .ok(200)
        .clone();
    let broken: Vec<(i64, &str)> = broken
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["person_id"].as_i64().unwrap(), b["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        broken,
        [(p.near, "unavailable"), (p.near, "unavailable")],
        "the board sees what to re-plan"
    );
    let replan = start_run(&p.admin, march()).await;
    let redone = settled(&p.admin, replan).await;
    assert_eq!(redone["status"], "finished", "{redone}");
    let changes = redone["draft"]["changes"].as_array().unwrap().clone();
    assert_eq!(changes.len(), 2, "only the class changes hands: {changes:?}");
    for c in &changes {
        assert_eq!(
            (c["before"].clone(), c["after"].clone()),
            (json!([p.near]), json!([p.far]))
        );
    }
    let v2 = p
        .admin
        .post(&format!("/api/v1/runs/{replan}/publish"), json!({}))
        .await
        .ok(200)
        .clone();
    assert_eq!((v2["added"].as_i64(), v2["removed"].as_i64()), (Some(2), Some(2)));
    let versions = p.admin.get("/api/v1/schedule/versions").await.ok(200).clone();
    assert_eq!(versions.as_array().unwrap().len(), 2);
    let after = p
        .admin
        .get("/api/v1/schedule/needs-replanning?from=2027-03-01&to=2027-03-31")
        .await;
    assert_eq!(after.ok(200).as_array().unwrap().len(), 0, "nothing left to re-plan");

    // The published schedule passes the independent checker against the re-plan's problem.
    let problem_text = p.admin.get(&format!("/api/v1/runs/{replan}/problem")).await;
    let problem = format::read_problem(std::str::from_utf8(&problem_text.bytes).unwrap()).unwrap();
    let codes = [(p.near, "GV001"), (p.far, "GV002"), (p.rapporteur, "BCV01")];
    let schedule = march_schedule(&p.admin).await;
    let pairs: Vec<Pair> = holders(&schedule, "person_ids")
        .into_iter()
        .map(|(s, q)| Pair {
            session: format!("S{s}"),
            person: codes.iter().find(|(id, _)| *id == q).unwrap().1.to_string(),
        })
        .collect();
    let solution = roster_solver::assess(&problem, &pairs, 0).unwrap();
    let report = check::check(&problem, &solution);
    assert!(report.is_valid(), "{:?}", report.violations);
    assert_eq!(solution.uncovered.len(), 0);
}

#[tokio::test]
async fn manual_changes_keep_the_rules_and_candidates_are_ranked() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    let run = start_run(&p.admin, march()).await;
    let done = settled(&p.admin, run).await;
    let class_session = holders(&done["draft"]["assignments"], "person_id")
        .into_iter()
        .find(|(_, q)| *q == p.near)
        .unwrap()
        .0;
    // The rapporteur teaches no module.
    let refused = p
        .admin
        .put(
            &format!("/api/v1/runs/{run}/sessions/{class_session}"),
            json!({"person_ids": [p.rapporteur]}),
        )
        .await;
    let problem = refused.problem(422, "breaks_rule").clone();
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("Lâm Văn Đức: Không (còn) là giảng viên."),
        "the rule in words: {problem}"
    );
    assert!(
        problem["errors"].to_string().contains("BCV01"),
        "the checker's lines: {problem}"
    );
    let changed = p
        .admin
        .put(
            &format!("/api/v1/runs/{run}/sessions/{class_session}"),
            json!({"person_ids": [p.far]}),
        )
        .await
        .ok(200)
        .clone();
    assert!(holders(&changed["draft"]["assignments"], "person_id").contains(&(class_session, p.far)));
    assert_eq!(
        changed["draft"]["objective_terms"]["continuity"], 30,
        "two people now share the module"
    );
    p.admin
        .post(&format!("/api/v1/runs/{run}/publish"), json!({}))
        .await
        .ok(200);

    let candidates = p
        .admin
        .get(&format!("/api/v1/sessions/{class_session}/candidates"))
        .await
        .ok(200)
        .clone();
    let ranked: Vec<i64> = candidates
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["person_id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        ranked,
        [p.near],
        "the one holding it is left out; the rapporteur cannot teach"
    );
    assert_eq!(candidates[0]["travel_minutes"], 0);
    assert_eq!(candidates[0]["load"], 1);

    p.admin
        .put(
            &format!("/api/v1/sessions/{class_session}/pins/{}", p.rapporteur),
            json!({}),
        )
        .await
        .problem(422, "pin_breaks_rule");
}

/// Runs count travel from a person's home district, else from their center's: without either
/// a person is left out of runs, so one holding published sessions keeps one, whether edited
/// or re-imported, and the board's candidates for those sessions stay answerable.
#[tokio::test]
async fn a_person_holding_published_sessions_keeps_a_home_district() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    publish_march(&p.admin, None).await;
    let held = holders(&march_schedule(&p.admin).await, "person_ids");
    let (session, _) = *held.iter().find(|(_, q)| *q == p.near).unwrap();
    let homeless = crate::helpers::person("GV001", "Nguyễn Thị Lan", json!({"qualification_ids": [p.w.module]}));
    p.admin
        .put(&format!("/api/v1/people/{}", p.near), homeless)
        .await
        .problem(422, "home_district_required");
    let person = p.admin.get(&format!("/api/v1/people/{}", p.near)).await.ok(200).clone();
    assert_eq!(person["home_district_id"], p.w.d1, "refused, nothing changed");
    p.admin
        .get(&format!("/api/v1/sessions/{session}/candidates"))
        .await
        .ok(200);
    let at_center = crate::helpers::person(
        "GV001",
        "Nguyễn Thị Lan",
        json!({"center_id": p.w.center1, "qualification_ids": [p.w.module]}),
    );
    p.admin
        .put(&format!("/api/v1/people/{}", p.near), at_center)
        .await
        .ok(200);
    // The rapporteur holds the briefing and has no center: a sheet with her district left
    // blank is refused, row and column named.
    assert!(held.iter().any(|(_, q)| *q == p.rapporteur), "{held:?}");
    let sheet = "\u{feff}Họ và tên,Mã,Loại,Huyện\r\nLâm Văn Đức,BCV01,Báo cáo viên,\r\n";
    let reply = p
        .admin
        .send_bytes(reqwest::Method::POST, "/api/v1/people/import", "text/csv", sheet.into())
        .await;
    let errors = &reply.problem(422, "import_invalid")["errors"];
    assert_eq!(
        (&errors[0]["row"], &errors[0]["column"]),
        (&json!(2), &json!("Huyện")),
        "{errors}"
    );
    let rapporteur = p
        .admin
        .get(&format!("/api/v1/people/{}", p.rapporteur))
        .await
        .ok(200)
        .clone();
    assert_eq!(rapporteur["home_district_id"], p.w.d2);
    // Someone holding nothing may be left without one.
    assert!(!held.iter().any(|(_, q)| *q == p.far), "{held:?}");
    let free = crate::helpers::person("GV002", "Thạch Sô Phênh", json!({"qualification_ids": [p.w.module]}));
    p.admin.put(&format!("/api/v1/people/{}", p.far), free).await.ok(200);
}

/// Plans, requests, sessions, pins and the published schedule count as references: deleting
/// what they refer to says so, rather than failing on the database's foreign keys.
#[tokio::test]
async fn deleting_what_plans_and_schedules_refer_to_names_them() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    publish_march(&p.admin, None).await;
    let refused = |path: String, code: &'static str, names: &'static [&'static str]| {
        let admin = p.admin.clone();
        async move {
            let reply = admin.delete(&path).await;
            let detail = reply.problem(409, code)["detail"].as_str().unwrap().to_string();
            for name in names {
                assert!(detail.contains(name), "{path}: {detail}");
            }
        }
    };
    refused(
        format!("/api/v1/people/{}", p.near),
        "person_has_history",
        &["lần được phân công"],
    )
    .await;
    refused(
        format!("/api/v1/topics/{}", p.w.module),
        "in_use",
        &["học phần của chương trình", "buổi"],
    )
    .await;
    refused(
        format!("/api/v1/topics/{}", p.w.resolution),
        "in_use",
        &["hội nghị", "buổi"],
    )
    .await;
    refused(
        format!("/api/v1/centers/{}", p.w.center1),
        "in_use",
        &["lớp trong kế hoạch"],
    )
    .await;
    refused(
        format!("/api/v1/districts/{}", p.w.d1),
        "in_use",
        &["kế hoạch", "yêu cầu mở lớp", "buổi"],
    )
    .await;
    refused(format!("/api/v1/districts/{}", p.w.d2), "in_use", &["hội nghị"]).await;
}

/// Local midnight fell twice on 1955-07-01, when the zone went from UTC+8 back to +7, and no
/// month follows +262142-12, the last one chrono knows: such periods are refused before either
/// is computed, not answered with a dropped connection.
#[tokio::test]
async fn periods_outside_the_plan_years_are_refused() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    // In a query string, a 400 (README.md); in a body, a 422.
    for path in [
        "/api/v1/schedule?from=1955-07-01&to=1955-07-01",
        "/api/v1/schedule/needs-replanning?from=2027-03-01&to=2201-01-01",
    ] {
        p.admin.get(path).await.problem(400, "date_out_of_range");
    }
    p.admin
        .get("/api/v1/schedule?from=2027-03-31&to=2027-03-01")
        .await
        .problem(400, "invalid_period");
    for (from, to) in [("1955-07-01", "1955-07-02"), ("+262142-12-31", "+262142-12-31")] {
        p.admin
            .post("/api/v1/runs", json!({"from": from, "to": to}))
            .await
            .problem(422, "date_out_of_range");
    }
    assert_eq!(
        p.admin.get("/api/v1/runs").await.ok(200).as_array().map(Vec::len),
        Some(0)
    );
}

#[tokio::test]
async fn runs_refuse_an_empty_period_a_finished_cancel_and_a_stale_publish() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    p.admin
        .post("/api/v1/runs", json!({"from": "2027-06-01", "to": "2027-06-30"}))
        .await
        .problem(422, "empty_period");
    p.admin
        .post("/api/v1/runs", json!({"from": "2027-03-31", "to": "2027-03-01"}))
        .await
        .problem(422, "invalid_period");

    let a = start_run(&p.admin, march()).await;
    settled(&p.admin, a).await;
    p.admin
        .post(&format!("/api/v1/runs/{a}/cancel"), json!({}))
        .await
        .problem(409, "run_not_running");

    let b = start_run(
        &p.admin,
        json!({"from": "2027-03-02", "to": "2027-03-02", "district_ids": [p.w.d2]}),
    )
    .await;
    assert_eq!(settled(&p.admin, b).await["status"], "finished");
    p.admin
        .post(&format!("/api/v1/runs/{b}/publish"), json!({}))
        .await
        .ok(200);
    p.admin
        .post(&format!("/api/v1/runs/{a}/publish"), json!({}))
        .await
        .problem(409, "stale_draft");
    let versions = p.admin.get("/api/v1/schedule/versions").await.ok(200).clone();
    assert_eq!(versions.as_array().unwrap().len(), 1, "the stale draft changed nothing");
    let schedule = march_schedule(&p.admin).await;
    assert_eq!(
        holders(&schedule, "person_ids"),
        [(schedule[2]["session_id"].as_i64().unwrap(), p.rapporteur)]
    );
}

#[tokio::test]
async fn a_second_run_over_a_period_under_way_is_refused_until_the_first_is_done() {
    let app = spawn_app_without_worker().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    let first = start_run(&p.admin, march()).await;
    let one_day = json!({"from": "2027-03-02", "to": "2027-03-02"});
    p.admin
        .post("/api/v1/runs", one_day.clone())
        .await
        .problem(409, "run_in_progress");
    p.admin
        .post(&format!("/api/v1/runs/{first}/cancel"), json!({}))
        .await
        .ok(200);
    start_run(&p.admin, one_day).await;
}

#[tokio::test]
async fn a_run_cancelled_in_the_queue_ends_cancelled_without_a_draft() {
    let app = spawn_app_without_worker().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    let run = start_run(&p.admin, march()).await;
    let cancelled = p
        .admin
        .post(&format!("/api/v1/runs/{run}/cancel"), json!({}))
        .await
        .ok(200)
        .clone();
    assert_eq!(cancelled["status"], "cancelled");
    let done = p.admin.get(&format!("/api/v1/runs/{run}")).await.ok(200).clone();
    assert!(done["draft"].is_null(), "nothing was solved: {done}");
    p.admin
        .post(&format!("/api/v1/runs/{run}/publish"), json!({}))
        .await
        .problem(409, "not_a_draft");
    let claimed = roster::scheduling::worker::claim(&app.db, "test").await.unwrap();
    assert_eq!(claimed, None, "a cancelled run is never solved");
}

#[tokio::test]
async fn a_run_cancelled_while_solving_ends_cancelled_and_keeps_what_it_found() {
    let app = spawn_app_without_worker().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    let run = start_run(&p.admin, march()).await;
    let (claimed, problem) = roster::scheduling::worker::claim(&app.db, "test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(claimed, run);
    let asked = p
        .admin
        .post(&format!("/api/v1/runs/{run}/cancel"), json!({}))
        .await
        .ok(200)
        .clone();
    assert_eq!(asked["status"], "running", "the worker stops it at its next heartbeat");
    roster::scheduling::worker::solve(&app.db, "test", run, &problem, &AtomicBool::new(false))
        .await
        .unwrap();
    let done = p.admin.get(&format!("/api/v1/runs/{run}")).await.ok(200).clone();
    assert_eq!(done["status"], "cancelled");
    assert!(
        done["draft"]["assignments"].is_array(),
        "the best found is kept: {done}"
    );
    p.admin
        .post(&format!("/api/v1/runs/{run}/publish"), json!({}))
        .await
        .ok(200);
}

#[tokio::test]
async fn only_the_board_runs_and_publishes_and_districts_see_only_their_part_of_a_draft() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    let board = app.account("bt.soctrang", UserRole::DistrictBoard, Some(p.w.d1)).await;
    let other_center = app
        .account("ttct.trande", UserRole::CenterCoordinator, Some(p.w.center2))
        .await;
    let lecturer = app.account("gv001", UserRole::Lecturer, Some(p.near)).await;
    board.post("/api/v1/runs", march()).await.problem(403, "forbidden");
    let run = start_run(&p.admin, march()).await;
    settled(&p.admin, run).await;
    board
        .post(&format!("/api/v1/runs/{run}/publish"), json!({}))
        .await
        .problem(403, "forbidden");
    board
        .post(&format!("/api/v1/runs/{run}/cancel"), json!({}))
        .await
        .problem(403, "forbidden");
    board
        .get(&format!("/api/v1/runs/{run}/problem"))
        .await
        .problem(403, "forbidden");
    lecturer
        .get(&format!("/api/v1/runs/{run}"))
        .await
        .problem(403, "forbidden");
    lecturer
        .get("/api/v1/schedule/needs-replanning?from=2027-03-01&to=2027-03-31")
        .await
        .problem(403, "forbidden");
    // The D11 center sees the briefing in D11, not the class in D01.
    let seen = other_center.get(&format!("/api/v1/runs/{run}")).await.ok(200).clone();
    assert_eq!(
        holders(&seen["draft"]["assignments"], "person_id")
            .iter()
            .map(|(_, q)| *q)
            .collect::<Vec<_>>(),
        [p.rapporteur]
    );
    other_center
        .get(&format!(
            "/api/v1/schedule?from=2027-03-01&to=2027-03-31&district_id={}",
            p.w.d1
        ))
        .await
        .problem(403, "forbidden");
    p.admin
        .post(&format!("/api/v1/runs/{run}/publish"), json!({}))
        .await
        .ok(200);
    let mine = march_schedule(&lecturer).await;
    assert_eq!(mine.as_array().unwrap().len(), 2, "the lecturer's own two sessions");
}

/// Two instances on one database: racing workers claim every queued run exactly once
/// (`FOR UPDATE SKIP LOCKED` on PostgreSQL, the write lock on SQLite).
#[tokio::test]
async fn racing_workers_claim_each_run_once() {
    let (url, _dir) = crate::helpers::fresh_database().await;
    let db = roster::db::Db::connect(&url).await.unwrap();
    let mut tx = db.begin().await.unwrap();
    for _ in 0..40 {
        roster::on!(tx.conn(), |c| {
            sqlx::query(
                "INSERT INTO solve_run (period_start, period_end, status, based_on_version, problem, created_by, created_at) \
                 VALUES ($1, $1, 'queued', 0, '{}', 'test', $2)",
            )
            .bind(chrono::NaiveDate::from_ymd_opt(2027, 3, 1).unwrap())
            .bind(chrono::Utc::now())
            .execute(&mut *c)
            .await
            .unwrap();
        });
    }
    tx.commit().await.unwrap();
    let worker = |name: &'static str| {
        let db = db.clone();
        tokio::spawn(async move {
            let mut taken = Vec::new();
            while let Some((run, _)) = roster::scheduling::worker::claim(&db, name).await.unwrap() {
                taken.push(run);
            }
            taken
        })
    };
    let (a, b) = (worker("a"), worker("b"));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let mut all: Vec<i64> = a.iter().chain(&b).copied().collect();
    all.sort();
    let claimed = all.len();
    all.dedup();
    assert_eq!((claimed, all.len()), (40, 40), "a: {a:?}, b: {b:?}");
}

/// A run over one week still counts the month's published sessions against monthly caps.
#[tokio::test]
async fn a_short_run_counts_published_sessions_of_the_month_against_caps() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    crate::planning::update_near(&p, json!({"max_per_month": 2})).await;
    p.admin
        .post(
            &format!("/api/v1/people/{}/unavailability", p.far),
            json!({"start": "2027-03-01T00:00:00+07:00", "end": "2027-04-01T00:00:00+07:00", "reason": "Đi học"}),
        )
        .await
        .ok(201);
    let plan = p
        .admin
        .post(
            "/api/v1/plans",
            json!({"district_id": p.w.d1, "year": 2027, "classes": [
                {"program_id": p.program, "center_id": p.w.center1, "name": "Lớp 1", "months": [3], "trainees": 40, "women": 20, "ethnic_minority": 5},
                {"program_id": p.program, "center_id": p.w.center1, "name": "Lớp 2", "months": [3], "trainees": 40, "women": 20, "ethnic_minority": 5}]}),
        )
        .await
        .ok(201)
        .clone();
    p.admin
        .post(&format!("/api/v1/plans/{}/approve", plan["id"]), json!({}))
        .await
        .ok(200);
    for (k, day) in [(0, "2027-03-01"), (1, "2027-03-15")] {
        let planned = plan["classes"][k]["id"].as_i64().unwrap();
        let request = p
            .admin
            .post(
                "/api/v1/requests",
                request_body(planned, &[(day, "morning"), (day, "afternoon")]),
            )
            .await
            .ok(201)["id"]
            .as_i64()
            .unwrap();
        p.admin
            .post(&format!("/api/v1/requests/{request}/accept"), json!({}))
            .await
            .ok(200);
    }
    let first = start_run(&p.admin, json!({"from": "2027-03-01", "to": "2027-03-07"})).await;
    settled(&p.admin, first).await;
    p.admin
        .post(&format!("/api/v1/runs/{first}/publish"), json!({}))
        .await
        .ok(200);
    let second = start_run(&p.admin, json!({"from": "2027-03-15", "to": "2027-03-21"})).await;
    let done = settled(&p.admin, second).await;
    let draft = &done["draft"];
    assert_eq!(draft["assignments"].as_array().unwrap().len(), 0, "{draft}");
    let reasons: Vec<&str> = draft["uncovered"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["caps_reached", "caps_reached"]);
}

/// An illness recorded after the run makes its draft break a rule: it is not published.
#[tokio::test]
async fn a_draft_that_an_illness_since_the_run_breaks_is_not_published() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    let run = start_run(&p.admin, march()).await;
    settled(&p.admin, run).await;
    p.admin
        .post(
            &format!("/api/v1/people/{}/unavailability", p.near),
            json!({"start": "2027-03-01T00:00:00+07:00", "end": "2027-03-02T00:00:00+07:00", "reason": "Ốm"}),
        )
        .await
        .ok(201);
    let refused = p.admin.post(&format!("/api/v1/runs/{run}/publish"), json!({})).await;
    let detail = refused.problem(409, "draft_breaks_rule")["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("GV001"), "{detail}");
    let versions = p.admin.get("/api/v1/schedule/versions").await.ok(200).clone();
    assert_eq!(versions.as_array().unwrap().len(), 0);
}

/// A lecturer deactivated after publication: the re-plan moves their sessions instead of
/// failing on a person it does not know.
#[tokio::test]
async fn a_replan_moves_the_sessions_of_someone_deactivated() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    publish_march(&p.admin, None).await;
    deactivate_near(&p).await;
    let broken = p
        .admin
        .get("/api/v1/schedule/needs-replanning?from=2027-03-01&to=2027-03-31")
        .await;
    assert_eq!(broken.ok(200)[0]["reason"], "inactive");
    let replan = start_run(&p.admin, march()).await;
    let redone = settled(&p.admin, replan).await;
    assert_eq!(redone["status"], "finished", "{redone}");
    let changes = redone["draft"]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(
        changes
            .iter()
            .all(|c| c["before"] == json!([p.near]) && c["after"] == json!([p.far]))
    );
    p.admin
        .post(&format!("/api/v1/runs/{replan}/publish"), json!({}))
        .await
        .ok(200);
}
