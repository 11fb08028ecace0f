//! A year of service matching for the demo's first community, so a newcomer sees the service area
//! filled: party members who report there, a community service day on the 15th and 25th with
//! check-ins, needs, resources and projects with claims, and 120 micro-wishes of which about nine
//! in ten are fulfilled and confirmed (Tongchuan reported 90.5 %). Deterministic, like the rest of
//! the demo; the store writes it and derives the hours from what is confirmed.

use crate::code::Code;
use crate::demo::{person, ymd, Rng};
use crate::service::CATEGORIES;
use serde::{Deserialize, Serialize};

/// A party member living in the community (an account of role resident, marked 党员).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoMember {
    pub username: String,
    pub display_name: String,
}

/// One past occurrence of the community service day and the members who checked in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoServiceDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// Indexes into `DemoService::members`.
    pub present: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoClaim {
    pub member: usize,
    pub amount: i64,
    pub state: String,
    /// Minutes credited when confirmed.
    pub minutes: i64,
    /// `YYYY-MM-DD` it was confirmed (or last changed).
    pub date: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoListing {
    pub kind: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub amount: i64,
    pub measure: String,
    pub deadline: Option<String>,
    pub status: String,
    pub claims: Vec<DemoClaim>,
    /// A project's steps.
    pub milestones: Vec<crate::service::listing::Milestone>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoWish {
    /// The resident it is for (recorded by the community: no account).
    pub beneficiary: String,
    pub title: String,
    pub category: String,
    pub state: String,
    pub claimant: Option<usize>,
    pub note: String,
    pub minutes: i64,
    /// `YYYY-MM-DD` posted.
    pub posted: String,
}

/// A 双报到 report, accepted: a member (index into `members`) naming their workplace's party
/// organisation — one of the resident units when `member_of` is set — or a resident unit whose
/// contact is a member's account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoReport {
    pub member: usize,
    pub kind: String,
    pub org_name: String,
    pub unit_name: String,
    pub contact: String,
    pub phone: String,
    pub offers: String,
    pub grid: String,
    /// Index into `DemoService::reports` of the unit named as workplace.
    pub member_of: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoService {
    /// The community committee's code (the unit everything belongs to).
    pub community: Code,
    pub members: Vec<DemoMember>,
    /// The service day series: first occurrence `YYYY-MM-DDTHH:MM`, end, and its RRULE.
    pub series_start: String,
    pub series_end: String,
    pub days: Vec<DemoServiceDay>,
    pub listings: Vec<DemoListing>,
    pub wishes: Vec<DemoWish>,
    /// Units first (so members can name them), then members.
    pub reports: Vec<DemoReport>,
}

const WISHES: &[(&str, &str)] = &[
    ("想要一副老花镜", "elderly"),
    ("希望有人陪我去医院复查", "health"),
    ("想学用智能手机视频通话", "elderly"),
    ("孩子想要一套课外读物", "children"),
    ("需要一个助行器", "elderly"),
    ("家里的水龙头漏水想请人修", "other"),
    ("想要一台收音机听戏", "culture"),
    ("孩子想学书法，需要字帖和毛笔", "children"),
    ("想请人帮忙打扫卫生", "elderly"),
    ("需要冬天的棉被", "elderly"),
    ("希望有人辅导孩子数学", "children"),
    ("想咨询赡养纠纷的法律问题", "legal"),
    ("想找一份保洁的工作", "employment"),
    ("楼道灯坏了想请人换", "safety"),
];

const NOTES: &[&str] = &[
    "已送到家中，老人很满意",
    "陪同前往并取回报告",
    "上门教学两次，已学会",
    "已购买并送达",
    "已维修完毕",
];

/// The history of the year before `today` (days since 1970-01-01) in `community`.
pub fn history(community: &Code, today: i64) -> DemoService {
    let mut rng = Rng(0x5345_5256_4943_4531);
    let mut members = vec![DemoMember {
        username: "dangyuan".into(),
        display_name: "党员张老师".into(),
    }];
    for i in 2..=16 {
        members.push(DemoMember {
            username: format!("dy{i:02}"),
            display_name: person(&mut rng),
        });
    }
    // The community's own service day, on the 15th and 25th, from a year ago on.
    let (y, m, _) = crate::date::civil_from_days(today - 365);
    let first = crate::date::days_from_civil(y, m, 15);
    let mut days = Vec::new();
    let mut d = first;
    while d < today {
        let (_, _, dom) = crate::date::civil_from_days(d);
        if dom == 15 || dom == 25 {
            let n = rng.range(5, 11) as usize;
            let mut present: Vec<usize> = (0..members.len()).collect();
            for i in (1..present.len()).rev() {
                present.swap(i, (rng.next() % (i as u64 + 1)) as usize);
            }
            present.truncate(n);
            present.sort_unstable();
            days.push(DemoServiceDay {
                date: ymd(d),
                present,
            });
        }
        d += 1;
    }
    let series_start = format!("{}T14:00", ymd(first));
    let series_end = format!("{}T16:00", ymd(first));

    let claim = |rng: &mut Rng, state: &str, minutes: i64, back: i64| DemoClaim {
        member: (rng.next() % 16) as usize,
        amount: 1,
        state: state.into(),
        minutes,
        date: ymd(today - back),
    };
    let mut listings = Vec::new();
    let needs: [(&str, &str, &str, i64); 6] = [
        (
            "独居老人助餐送餐",
            "每天中午为 12 位独居老人送餐",
            "elderly",
            8,
        ),
        (
            "四点半课堂辅导志愿者",
            "周一至周五放学后辅导作业",
            "children",
            6,
        ),
        (
            "背街小巷环境整治",
            "清理楼道堆物、小广告",
            "environment",
            20,
        ),
        ("反诈宣传入户", "逐户发放反诈宣传册", "safety", 10),
        ("重阳节文艺演出", "社区广场，需要主持和演员", "culture", 12),
        (
            "困难家庭就业帮扶",
            "一对一推荐岗位、辅导面试",
            "employment",
            4,
        ),
    ];
    for (k, (title, text, cat, amount)) in needs.iter().enumerate() {
        let past = k < 3;
        let mut claims = Vec::new();
        let taken = if past { *amount } else { amount / 2 };
        for j in 0..taken {
            let (state, minutes) = if past {
                ("confirmed", 120 + 30 * rng.range(0, 4))
            } else if j % 3 == 0 {
                ("in-progress", 0)
            } else {
                ("claimed", 0)
            };
            let back = rng.range(10, 300);
            claims.push(claim(&mut rng, state, minutes, back));
        }
        listings.push(DemoListing {
            kind: "need".into(),
            title: (*title).into(),
            description: (*text).into(),
            category: (*cat).into(),
            amount: *amount,
            measure: "people".into(),
            deadline: Some(ymd(today + if past { -20 } else { 30 + 10 * k as i64 })),
            status: if past { "closed" } else { "open" }.into(),
            claims,
            milestones: Vec::new(),
        });
    }
    let resources: [(&str, &str, &str, i64, &str); 4] = [
        (
            "区税务局党支部：法律与税务咨询",
            "每月 25 日上午坐班",
            "legal",
            24,
            "hours",
        ),
        (
            "区人民医院党总支：义诊",
            "每季度一次，内科、眼科",
            "health",
            4,
            "people",
        ),
        (
            "尧化中学党支部：假期托管场地",
            "寒暑假开放教室两间",
            "children",
            2,
            "people",
        ),
        (
            "物业公司党支部：维修工具借用",
            "电钻、梯子、管钳",
            "other",
            10,
            "people",
        ),
    ];
    for (title, text, cat, amount, measure) in resources {
        listings.push(DemoListing {
            kind: "resource".into(),
            title: title.into(),
            description: text.into(),
            category: cat.into(),
            amount,
            measure: measure.into(),
            deadline: None,
            status: "open".into(),
            claims: Vec::new(),
            milestones: Vec::new(),
        });
    }
    listings.push(DemoListing {
        kind: "project".into(),
        title: "老旧小区加装电梯".into(),
        description: "需求：12 栋住户上下楼难；资源：区住建局党支部、物业公司党支部".into(),
        category: "other".into(),
        amount: 1,
        measure: "people".into(),
        deadline: None,
        status: "open".into(),
        claims: Vec::new(),
        milestones: [
            ("意见征集", true),
            ("方案公示", true),
            ("施工", false),
            ("验收", false),
        ]
        .map(|(t, done)| crate::service::listing::Milestone {
            title: t.into(),
            done,
        })
        .to_vec(),
    });

    // 120 wishes over the year: nine in ten confirmed, the newest still on their way.
    let mut wishes = Vec::new();
    for i in 0..120i64 {
        let (title, cat) = WISHES[(rng.next() % WISHES.len() as u64) as usize];
        let posted = today - 360 + i * 3;
        let state = match i {
            0..=107 => "confirmed",
            108..=110 => "fulfilled",
            111..=114 => "claimed",
            115..=117 => "verified",
            _ => "submitted",
        };
        let claimed = !matches!(state, "verified" | "submitted");
        wishes.push(DemoWish {
            beneficiary: format!(
                "{}{}",
                person(&mut rng),
                rng.pick(&["奶奶", "爷爷", "同学", "阿姨"])
            ),
            title: title.into(),
            category: cat.into(),
            state: state.into(),
            claimant: claimed.then(|| (rng.next() % 16) as usize),
            note: if matches!(state, "confirmed" | "fulfilled") {
                rng.pick(NOTES).into()
            } else {
                String::new()
            },
            minutes: if matches!(state, "confirmed" | "fulfilled") {
                30 * rng.range(1, 6)
            } else {
                0
            },
            posted: ymd(posted),
        });
    }
    debug_assert!(wishes
        .iter()
        .all(|w| CATEGORIES.contains(&w.category.as_str())));
    // 双报到: three resident units (their contacts are the last three members' accounts), and
    // nine members, about half of whom work at one of them; `dy10`…`dy13` have not reported yet.
    let units: [(&str, &str, &str, &str); 3] = [
        (
            "区税务局",
            "区税务局机关党支部",
            "周科长",
            "每月 25 日上午法律与税务咨询",
        ),
        (
            "区人民医院",
            "区人民医院党总支",
            "王主任",
            "每季度义诊一次，内科、眼科",
        ),
        ("尧化中学", "尧化中学党支部", "李老师", "寒暑假开放教室两间"),
    ];
    let grid = |k: usize| format!("{}0{}", community.as_str(), 1 + k % 2);
    let mut reports: Vec<DemoReport> = units
        .iter()
        .enumerate()
        .map(|(k, (unit, org, contact, offers))| DemoReport {
            member: 13 + k,
            kind: "unit".into(),
            org_name: (*org).into(),
            unit_name: (*unit).into(),
            contact: (*contact).into(),
            phone: format!("1391234{:04}", 5000 + k),
            offers: (*offers).into(),
            grid: grid(k),
            member_of: None,
        })
        .collect();
    let elsewhere = [
        "市供电公司党委",
        "区城管局党支部",
        "江苏银行党支部",
        "区教育局机关党委",
    ];
    let skills = [
        "会修电脑",
        "懂法律",
        "能教书法",
        "会理发",
        "",
        "能开车接送",
        "",
    ];
    for m in 0..9 {
        let at = (rng.next() % 2 == 0).then(|| (rng.next() % 3) as usize);
        reports.push(DemoReport {
            member: m,
            kind: "member".into(),
            org_name: match at {
                Some(u) => units[u].1.into(),
                None => rng.pick(&elsewhere).into(),
            },
            unit_name: String::new(),
            contact: String::new(),
            phone: String::new(),
            offers: rng.pick(&skills).into(),
            grid: grid(m),
            member_of: at,
        });
    }
    DemoService {
        community: community.clone(),
        members,
        series_start,
        series_end,
        days,
        listings,
        wishes,
        reports,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::wish::{fulfilment, WishState};

    #[test]
    fn a_year_of_service_with_about_nine_in_ten_wishes_fulfilled() {
        let s = history(&Code::parse("320113001001").unwrap(), 20_792);
        assert!((23..=25).contains(&s.days.len()), "{}", s.days.len());
        assert!(s
            .days
            .iter()
            .all(|d| d.date.ends_with("-15") || d.date.ends_with("-25")));
        assert!(s.days.iter().all(|d| d.date.as_str() < "2026-12-05"));
        let (done, published) =
            fulfilment(s.wishes.iter().map(|w| WishState::parse(&w.state).unwrap()));
        assert_eq!((done, published), (108, 118));
        for l in &s.listings {
            assert!(CATEGORIES.contains(&l.category.as_str()));
            assert!(l.claims.iter().map(|c| c.amount).sum::<i64>() <= l.amount);
        }
        assert_eq!(s.members[0].username, "dangyuan");
        assert_eq!(s.reports.len(), 12);
        assert!(s.reports.iter().all(|r| r.member < s.members.len()));
        assert!(s.reports.iter().any(|r| r.member_of.is_some()));
        assert_eq!(history(&s.community, 20_792), s);
    }
}
