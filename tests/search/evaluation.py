"""The search evaluation set: queries over the demo transcripts (invented, committed) with the
interviewee turns that answer them, and the measures (recall@10, MRR) per ranking mode.

Relevant lines are named by file and a piece of their text, not by number, so a change in how
turns are numbered cannot silently move the labels. Kinds: `inflected` (a Korean form that is
not in the line as written), `paraphrase` (no word shared with the line), `cross` (the query in
the other language), `keyword` (words the line contains).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from persona_insight import ingest
from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.analysis.transcript import parse

SAMPLES = Path(__file__).resolve().parents[2] / "src" / "persona_insight" / "demo" / "samples"
# The real evaluation transcripts (third-party, git-ignored: tests/analysis/real/README.md).
REAL = Path(__file__).resolve().parents[1] / "analysis" / "real" / "files"
HWP, PYPI = "ko-pyconkr-shin-hwp.txt", "en-mismatches-nick-1.md"
EV, FOOD = "ko_ev_charging.txt", "ko_food_delivery.txt"
SAAS, GROCERY = "en_saas_onboarding.txt", "en_online_grocery.txt"


@dataclass(frozen=True, slots=True)
class Query:
    q: str
    kind: str
    relevant: tuple[tuple[str, str], ...]  # (file, a piece of the relevant turn's text)


def _q(q: str, kind: str, *relevant: tuple[str, str]) -> Query:
    return Query(q, kind, relevant)


QUERIES: tuple[Query, ...] = (
    _q("번거롭다", "inflected", (EV, "번거로워요")),
    _q("충전기가 모자라다", "inflected", (EV, "네 대밖에 없어서")),
    _q("급속 충전 요금이 비싸다", "inflected", (EV, "요금이 비싸서")),
    _q("충전 끝난 차를 안 빼요", "keyword", (EV, "차를 안 빼는")),
    _q("충전이 끝나면 알림", "keyword", (EV, "자동으로 알림")),
    _q("회원카드랑 앱이 헷갈리다", "inflected", (EV, "헷갈려요")),
    _q("카드를 두고 와서 충전을 못 했다", "inflected", (EV, "집에 두고")),
    _q("QR 결제", "keyword", (EV, "QR 찍고")),
    _q("휴게소 충전기 대기", "keyword", (EV, "휴게소 급속")),
    _q("고장 정보가 실시간이 아니다", "keyword", (EV, "실시간이 아닌")),
    _q("겨울에 주행거리가 줄어든다", "inflected", (EV, "주행거리가 확")),
    _q("충전기를 미리 예약하고 싶다", "inflected", (EV, "예약할 수 있으면")),
    _q("유지비가 싸서 만족한다", "inflected", (EV, "유지비도")),
    _q("broken chargers listed as available", "cross", (EV, "고장 나 있는")),
    _q("booking a charger for when I arrive", "cross", (EV, "예약할 수 있으면")),
    _q("long queue at the highway rest stop", "cross", (EV, "휴게소 급속")),
    _q("배달비가 너무 비싸다", "inflected", (FOOD, "배달비가 너무"), (FOOD, "배달비 좀")),
    _q("최소 주문 금액 때문에 더 시킨다", "keyword", (FOOD, "최소 주문 금액 맞추려고")),
    _q("리뷰를 믿을 수 없다", "inflected", (FOOD, "잘 안 믿어요")),
    _q("이벤트 리뷰를 걸러 보는 필터", "keyword", (FOOD, "걸러서 볼 수")),
    _q("배달이 예상보다 늦게 온다", "paraphrase", (FOOD, "한 시간 넘게 걸린")),
    _q("음식이 식다", "inflected", (FOOD, "식어서")),
    _q("상담 연결이 오래 걸린다", "inflected", (FOOD, "채팅 상담")),
    _q("취업 준비 스트레스", "keyword", (FOOD, "취업 준비")),
    _q("친구와 나눠 내기 귀찮다", "inflected", (FOOD, "돈 나누는 게"), (FOOD, "나눠 내는")),
    _q("delivery fees are too expensive", "cross", (FOOD, "배달비가 너무"), (FOOD, "배달비 좀")),
    _q("reviews written for free rewards", "cross", (FOOD, "잘 안 믿어요")),
    _q("the data import took forever", "keyword", (SAAS, "The data import")),
    _q("a sample file for importing", "keyword", (SAAS, "import template")),
    _q("permissions confusing", "keyword", (SAAS, "permissions were")),
    _q("see the app exactly as a teammate would", "paraphrase", (SAAS, "view as this user")),
    _q("help center screenshots are outdated", "keyword", (SAAS, "old version")),
    _q("support answered slowly", "keyword", (SAAS, "response time")),
    _q("paying per seat for seasonal workers", "keyword", (SAAS, "per-seat pricing")),
    _q("a guided checklist for setup", "keyword", (SAAS, "guided setup checklist")),
    _q("onboarding lasted longer than sales promised", "paraphrase", (SAAS, "took way longer")),
    _q("권한 설정이 헷갈려요", "cross", (SAAS, "permissions were")),
    _q("사용자 수마다 요금이 붙어서 부담된다", "cross", (SAAS, "per-seat pricing")),
    _q("substituted items without asking", "keyword", (GROCERY, "substitute things")),
    _q("approve a replacement before it is swapped", "keyword", (GROCERY, "approve it")),
    _q("too many plastic bags", "keyword", (GROCERY, "plastic bags")),
    _q("fruit arrived spoiled", "paraphrase", (GROCERY, "bananas")),
    _q(
        "reordering the same groceries every week",
        "keyword",
        (GROCERY, "same forty"),
        (GROCERY, "saved weekly list"),
    ),
    _q("recipes that fill the cart with ingredients", "keyword", (GROCERY, "recipes for the week")),
    _q("대체 상품을 묻지도 않고 바꿔 보낸다", "cross", (GROCERY, "substitute things")),
    _q("비닐봉지가 너무 많다", "cross", (GROCERY, "plastic bags")),
    _q("배달 수수료와 팁이 쌓인다", "cross", (GROCERY, "delivery fee plus")),
)


# Over two real transcripts (a Korean conference talk with its Q&A, an English oral-history
# interview): long, unedited turns, as a new user would upload them.
REAL_QUERIES: tuple[Query, ...] = (
    _q("한글 파일 열 때마다 보안 승인 창이 뜬다", "inflected", (HWP, "승인하시겠습니까")),
    _q("정규식으로 광산 자료를 취합했다", "keyword", (HWP, "정규식을 썼습니다")),
    _q("엑셀은 예제가 많아서 자동화하기 쉬웠다", "inflected", (HWP, "좋은 예제들이 많이")),
    _q("속도를 비교해 보지 않았다", "inflected", (HWP, "속도 비교를 한 번도")),
    _q(
        "스크립트 녹화해서 쓰기",
        "inflected",
        (HWP, "스크립트 녹화를"),
        (HWP, "내부적인 기능을 잘 몰라서"),
    ),
    _q("I learned Python from a beginner book and tried Excel first", "cross", (HWP, "점프 툰")),
    _q("what makes a project well maintained", "keyword", (PYPI, "Well maintained is basically")),
    _q("label a hobby project as unmaintained", "keyword", (PYPI, "unmaintained.tech")),
    _q("old and new PyPI shared one SQL database", "keyword", (PYPI, "common backend SQL")),
    _q(
        "becoming trustworthy enough to receive grant money", "paraphrase", (PYPI, "credible grant")
    ),
    _q("자원봉사자에 크게 의존하는 운영", "cross", (PYPI, "very volunteer driven")),
    _q("핵심 개발자들이 나를 신뢰했다", "cross", (PYPI, "core developers trusted me")),
)


def real_files() -> list[str]:
    """The real transcripts the real queries need, when all are present."""
    names = sorted({name for q in REAL_QUERIES for name, _ in q.relevant})
    return names if all((REAL / name).is_file() for name in names) else []


def analysis_of(name: str) -> InterviewAnalysis:
    """A transcript's turns as the cleaned script an analysis stores (the index reads only
    that): a demo sample, or a real transcript."""
    path = SAMPLES / name if (SAMPLES / name).is_file() else REAL / name
    text = ingest.extract(path.name, path.read_bytes(), max_bytes=10**7, max_chars=10**6).text
    turns = parse(text).turns
    return InterviewAnalysis.model_validate(
        {
            "language": "ko" if name.startswith("ko") else "en",
            "cleaned_script": [
                {"id": [t.id], "speaker": t.role, "cleaned_sentence": t.text[:8000]} for t in turns
            ],
            "interview_quality_assessment": {"overall_quality": {"score": 3}},
        }
    )


def sample_files() -> list[str]:
    return sorted(p.name for p in SAMPLES.iterdir() if p.suffix != ".md" or p.stem != "README")


def relevant_keys(query: Query, scripts: dict[str, Any]) -> set[tuple[str, int]]:
    """(file, line id) of the turns the query's pieces name; each piece must name exactly one."""
    keys: set[tuple[str, int]] = set()
    for name, piece in query.relevant:
        found = [
            line.id[0] for line in scripts[name].cleaned_script if piece in line.cleaned_sentence
        ]
        assert len(found) == 1, (query.q, name, piece, found)
        keys.add((name, found[0]))
    return keys


def measure(
    ranked: dict[str, list[list[tuple[str, int]]]], relevant: list[set[tuple[str, int]]]
) -> dict[str, dict[str, float]]:
    """Recall@10 and MRR per mode, from each query's ranked (file, line) list."""
    out: dict[str, dict[str, float]] = {}
    for mode, lists in ranked.items():
        recall = mrr = 0.0
        for hits, wanted in zip(lists, relevant, strict=True):
            top = hits[:10]
            recall += len(wanted & set(top)) / len(wanted)
            first = next((n for n, key in enumerate(top, start=1) if key in wanted), None)
            mrr += 1 / first if first else 0.0
        out[mode] = {
            "recall_at_10": round(recall / len(lists), 3),
            "mrr": round(mrr / len(lists), 3),
        }
    return out
