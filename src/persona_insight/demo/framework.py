"""The demo company's persona framework and glossary, written for the sample interviews: each
sample's interviewee fits one persona, so the demo shows a persona match (and the glossary terms
appear in the transcripts)."""

from __future__ import annotations

from typing import Final

# (code, title, description)
PERSONAS: Final = (
    (
        "EV-DRIVER",
        "아파트 전기차 운전자 · Apartment EV driver",
        "아파트 지하주차장 완속 충전기와 급속 충전소를 오가며 충전 대기, 자리 부족, 결제 카드와 "
        "앱이 여러 개인 것에 불편을 느끼는 전기차 운전자. An electric car driver who charges in "
        "the apartment car park and at fast chargers, and struggles with queues, occupied spots "
        "and too many charging cards and apps.",
    ),
    (
        "BUSY-COMMUTER",
        "바쁜 출퇴근 직장인 · Busy commuting professional",
        "출퇴근길 대중교통과 배달 앱, 모바일 뱅킹을 이동 중에 쓰며 환승, 배달 지연, "
        "복잡한 인증처럼 시간을 빼앗는 일에 민감한 직장인. "
        "A worker who uses public transport, food delivery and "
        "mobile banking on the go and hates transfers, late deliveries and slow log-ins.",
    ),
    (
        "PLANNER",
        "꼼꼼한 계획형 소비자 · Careful planner and saver",
        "여행 예약과 장보기를 미리 계획하고 가격, 수수료, 환불 규정, 배송 시간을 비교하는 소비자. "
        "A shopper who plans trips and groceries ahead and compares prices, fees, refund rules "
        "and delivery slots.",
    ),
    (
        "SELF-TRACKER",
        "건강 관리형 사용자 · Health-minded self-tracker",
        "운동 앱으로 기록하고 루틴을 지키려 하지만 동기 부여와 기록 연동에서 자주 막히는 사용자. "
        "Someone who tracks workouts in a fitness app and wants to keep a routine, but loses "
        "motivation and fights with syncing.",
    ),
    (
        "TEAM-ADOPTER",
        "업무 도구 도입 담당자 · Team tool adopter",
        "팀에 SaaS 업무 도구와 분석 대시보드를 도입하며 온보딩, 권한 설정, 데이터 연동, 보고서에 "
        "시간을 쓰는 담당자. The person bringing a SaaS tool and analytics dashboards to their "
        "team, busy with onboarding, permissions, data integrations and reports.",
    ),
)

# (term, definition)
GLOSSARY: Final = (
    (
        "완속 충전기",
        "Slow (AC) charger, often in an apartment car park; charging takes hours.",
    ),
    ("급속 충전기", "Fast (DC) charger at a station; 80 % in about 30–40 minutes."),
    ("충전 대기", "Waiting for a charger to free up: the demo's most frequent EV pain point."),
    ("환승", "Transfer between bus and subway lines on one fare."),
    ("간편결제", "One-tap mobile payment (Kakao Pay, Naver Pay, Toss …)."),
    ("장바구니", "Shopping cart in a grocery or delivery app."),
    ("온보딩", "Onboarding: the first steps a new user or team takes in a product."),
    ("대시보드", "Dashboard: a page of charts and numbers for a team."),
)
