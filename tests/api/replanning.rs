//! Re-planning after a change to the registry: every published assignment that breaks a rule
//! today is listed with the rule in words, and runs around it are not refused because of it.

use roster::vocab::UserRole;
use serde_json::{Value, json};

use crate::helpers::spawn_app;
use crate::pages::Browser;
use crate::planning::{planning, update_near};
use crate::scheduling::{publish_march, sessions, settled, start_run};

/// The rules each broken assignment breaks, as (person, rule codes), in time order.
fn rules(list: &Value) -> Vec<(i64, Vec<String>)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let codes = b["rules"].as_array().unwrap().iter();
            (
                b["person_id"].as_i64().unwrap(),
                codes.map(|r| r["code"].as_str().unwrap().to_string()).collect(),
            )
        })
        .collect()
}

/// An illness on 1 March breaks the published class; a run over 2 March alone is not refused
/// for it: the class is set aside, said so in the run, and stays to be re-planned.
#[tokio::test]
async fn an_absence_outside_a_run_sets_its_sessions_aside_instead_of_refusing_the_run() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    publish_march(&p.admin, None).await;
    p.admin
        .post(
            &format!("/api/v1/people/{}/unavailability", p.near),
            json!({"start": "2027-03-01T00:00:00+07:00", "end": "2027-03-02T00:00:00+07:00", "reason": "Ốm"}),
        )
        .await
        .ok(201);
    let run = start_run(
        &p.admin,
        json!({"from": "2027-03-02", "to": "2027-03-02", "time_limit_seconds": 10}),
    )
    .await;
    let done = settled(&p.admin, run).await;
    assert_eq!(done["status"], "finished", "{done}");
    let set_aside = &done["set_aside"];
    assert_eq!(
        rules(set_aside),
        [
            (p.near, vec!["unavailable".to_string()]),
            (p.near, vec!["unavailable".to_string()])
        ]
    );
    assert_eq!(
        set_aside[0]["rules"][0]["detail"],
        "Vắng mặt (nghỉ phép, ốm hoặc đi công tác) vào buổi này."
    );
    p.admin
        .post(&format!("/api/v1/runs/{run}/publish"), json!({}))
        .await
        .ok(200);
    let still = p
        .admin
        .get("/api/v1/schedule/needs-replanning?from=2027-03-01&to=2027-03-31")
        .await
        .ok(200)
        .clone();
    assert_eq!(rules(&still).len(), 2, "left to be re-planned: {still}");

    // The run's page says what it set aside, in words.
    app.account("admin.web", UserRole::ProvinceAdmin, None).await;
    let mut board = Browser::signed_in(&app, "admin.web").await;
    let page = board.get(&format!("/planning/runs/{run}")).await.text;
    let table = page
        .split("id=\"set-aside\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(
        table.contains("Nguyễn Thị Lan") && table.contains("01/03/2027"),
        "{table}"
    );
    assert!(table.contains("Vắng mặt (nghỉ phép, ốm hoặc đi công tác)"), "{table}");

    // A real pin that breaks a rule still refuses a run, and is called a pin.
    let class_session = still[0]["session_id"].as_i64().unwrap();
    p.admin
        .put(&format!("/api/v1/sessions/{class_session}/pins/{}", p.far), json!({}))
        .await;
    p.admin
        .post(
            &format!("/api/v1/people/{}/unavailability", p.far),
            json!({"start": "2027-03-01T00:00:00+07:00", "end": "2027-03-02T00:00:00+07:00", "reason": "Công tác"}),
        )
        .await
        .ok(201);
    let refused = p
        .admin
        .post("/api/v1/runs", json!({"from": "2027-03-01", "to": "2027-03-01"}))
        .await;
    let detail = refused.problem(409, "pin_breaks_rule")["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(detail.contains("GV002"), "{detail}");
}

/// needs-replanning checks the published schedule against today's registry with the
/// scheduler's own checker: a lost qualification, a lowered cap, a lower level and a weekly
/// half-day pattern each show, with the rule in words.
#[tokio::test]
async fn needs_replanning_lists_every_rule_the_published_schedule_breaks_today() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    sessions(&app, &p).await;
    publish_march(&p.admin, None).await;
    let replan = async || {
        p.admin
            .get("/api/v1/schedule/needs-replanning?from=2027-03-01&to=2027-03-31")
            .await
            .ok(200)
            .clone()
    };
    assert_eq!(rules(&replan().await).len(), 0);

    // The class's lecturer may now take one session a day; the rapporteur drops to district
    // level and comes on Monday mornings only (the briefing is a Tuesday's).
    update_near(&p, json!({"max_per_day": 1})).await;
    p.admin
        .put(
            &format!("/api/v1/people/{}", p.rapporteur),
            crate::helpers::person(
                "BCV01",
                "Lâm Văn Đức",
                json!({"roles": ["rapporteur"], "rapporteur_level": "district", "home_district_id": p.w.d2,
                       "qualification_ids": [p.w.resolution], "languages": ["vi", "km"]}),
            ),
        )
        .await
        .ok(200);
    p.admin
        .put(
            &format!("/api/v1/people/{}/weekly-pattern", p.rapporteur),
            json!({"half_days": [{"weekday": "monday", "half_day": "morning"}]}),
        )
        .await
        .ok(200);
    let broken = replan().await;
    assert_eq!(
        rules(&broken),
        [
            (p.near, vec!["cap".to_string()]),
            (p.near, vec!["cap".to_string()]),
            (
                p.rapporteur,
                vec!["rapporteur_level".to_string(), "weekly_half_days".to_string()]
            ),
        ],
        "{broken}"
    );
    assert_eq!(
        broken[0]["rules"][0]["detail"],
        "Vượt mức tối đa 1 buổi một ngày: 2 buổi trong ngày 01/03/2027."
    );
    // A district board sees its own district's part.
    let board = app.account("bt.d11", UserRole::DistrictBoard, Some(p.w.d2)).await;
    let theirs = board
        .get("/api/v1/schedule/needs-replanning?from=2027-03-01&to=2027-03-31")
        .await
        .ok(200)
        .clone();
    assert_eq!(rules(&theirs).len(), 1);

    // The lost qualification shows too, and the planning page says it in words.
    update_near(&p, json!({"qualification_ids": []})).await;
    let broken = replan().await;
    assert_eq!(broken[0]["rules"][0]["code"], "qualification", "{broken}");
    app.account("admin.web", UserRole::ProvinceAdmin, None).await;
    let mut admin = Browser::signed_in(&app, "admin.web").await;
    let page = admin.get("/planning").await.text;
    let table = page
        .split("id=\"replan\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    for words in [
        "Không (còn) được giao chuyên đề, nghị quyết của buổi này.",
        "Cấp báo cáo viên thấp hơn cấp của hội nghị.",
        "Buổi này không thuộc các buổi trong tuần người này có thể đến.",
    ] {
        assert!(table.contains(words), "{words}: {table}");
    }
}

/// A center that closes takes no new requests; its published sessions are listed for
/// re-planning with the rule in words, and a run leaves them unstaffed instead of refusing.
#[tokio::test]
async fn a_closed_centers_published_sessions_are_listed_and_it_takes_no_new_requests() {
    let app = spawn_app().await;
    let p = planning(&app).await;
    let (request, planned) = sessions(&app, &p).await;
    publish_march(&p.admin, None).await;
    let center = format!("/api/v1/centers/{}", p.w.center1);
    let mut body = p.admin.get(&center).await.ok(200).clone();
    assert_eq!(body["active"], true);
    body.as_object_mut().unwrap().remove("id");
    body["active"] = json!(false);
    p.admin.put(&center, body).await.ok(200);

    let broken = p
        .admin
        .get("/api/v1/schedule/needs-replanning?from=2027-03-01&to=2027-03-31")
        .await
        .ok(200)
        .clone();
    let codes: Vec<Vec<String>> = rules(&broken).into_iter().map(|(_, r)| r).collect();
    assert_eq!(
        codes,
        [vec!["center_closed".to_string()], vec!["center_closed".to_string()]],
        "{broken}"
    );
    assert_eq!(
        broken[0]["rules"][0]["detail"],
        "Trung tâm Chính trị thành phố Sóc Trăng đã ngừng hoạt động; lớp cần nơi học khác."
    );

    // A run over March stages nobody on the closed center's sessions, and says why.
    let run = start_run(&p.admin, json!({"from": "2027-03-01", "to": "2027-03-31"})).await;
    let done = settled(&p.admin, run).await;
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(rules(&done["set_aside"]).len(), 2, "{done}");
    let draft = &done["draft"]["assignments"];
    let class_sessions: Vec<i64> = broken
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["session_id"].as_i64().unwrap())
        .collect();
    assert!(
        draft
            .as_array()
            .unwrap()
            .iter()
            .all(|a| !class_sessions.contains(&a["session_id"].as_i64().unwrap())),
        "{draft}"
    );

    // No new class is planned at it.
    p.admin
        .post(
            "/api/v1/plans",
            json!({"district_id": p.w.d1, "year": 2028, "classes": [{"program_id": p.program, "center_id": p.w.center1,
                   "name": "Lớp mới", "months": [3], "trainees": 30, "women": 10, "ethnic_minority": 5}]}),
        )
        .await
        .problem(422, "center_closed");

    // Its classes can no longer be requested.
    p.admin
        .post(
            &format!("/api/v1/requests/{request}/reject"),
            json!({"reason": "Trung tâm đóng cửa"}),
        )
        .await;
    let coordinator = app
        .account("ttct.soctrang2", UserRole::CenterCoordinator, Some(p.w.center1))
        .await;
    coordinator
        .post(
            "/api/v1/requests",
            crate::planning::request_body(planned, &[("2027-03-08", "morning"), ("2027-03-08", "afternoon")]),
        )
        .await
        .problem(422, "center_closed");
}
