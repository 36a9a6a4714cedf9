"""The offline engine on the labelled demo interviews (files read through the product's ingestion).

One module-scoped fixture analyses every labelled interview once, concurrently through the async
API (so the shared models are exercised from several threads); the tests then check the
contract, the evidence, the findings against the researcher's labels, language, sections,
sentiment, persona match, keywords and the generated text. bench/analysis.py reports the full
precision/recall figures; here a looser floor keeps the suite stable.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import re
from pathlib import Path

import pytest

from persona_insight.analysis.contract import InterviewAnalysis
from persona_insight.analysis.engine import AnalysisContext, EngineError, EngineResult, PersonaRef
from persona_insight.analysis.offline.engine import MODEL, OfflineEngine
from persona_insight.analysis.transcript import Transcript, parse
from persona_insight.ingest import extract

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "src" / "persona_insight" / "demo" / "samples"
LABELS: dict[str, dict[str, object]] = {
    name: label
    for name, label in json.loads((Path(__file__).parent / "labels.json").read_text()).items()
    if not name.startswith("_")
}
PERSONAS = (
    PersonaRef(
        "P1",
        "Public charging EV driver",
        "Drives an electric car and depends on public fast chargers; worries about broken "
        "chargers, charging apps and fees.",
    ),
    PersonaRef(
        "P2",
        "Busy family grocery shopper",
        "Parent who orders groceries online every week for a big family; cares about fresh "
        "produce, substitutions and delivery fees.",
    ),
    PersonaRef(
        "P3",
        "Self-employed banking user",
        "Freelancer or small business owner who uses a mobile banking app for business "
        "payments, invoices, transfers and tax paperwork.",
    ),
    PersonaRef(
        "P4",
        "Home workout enthusiast",
        "Exercises at home with fitness apps and video workouts and tracks routines with a "
        "smartwatch.",
    ),
)
EXPECTED_PERSONA = {
    "ko_ev_charging.txt": "P1",
    "en_ev_charging.vtt": "P1",
    "en_online_grocery.txt": "P2",
    "ko_banking_app.md": "P3",
    "en_banking_app.md": "P3",
    "ko_fitness_app.vtt": "P4",
    "en_fitness_app.txt": "P4",
}
HANGUL = re.compile(r"[가-힣]")


def load(name: str) -> Transcript:
    data = (SAMPLES / name).read_bytes()
    return parse(extract(name, data, max_bytes=10_000_000, max_chars=1_000_000).text)


def labelled(name: str, kind: str) -> set[int]:
    ids = LABELS[name][kind]
    assert isinstance(ids, list)
    return {int(i) for i in ids}


def detected(analysis: InterviewAnalysis, kind: str) -> set[int]:
    findings = analysis.primary_pain_points if kind == "pain" else analysis.primary_needs
    return {i for f in findings for i in f.evidence}


def run(engine: OfflineEngine, transcript: Transcript, context: AnalysisContext) -> EngineResult:
    return asyncio.run(engine.analyse(transcript, context))


@pytest.fixture(scope="module")
def engine() -> OfflineEngine:
    engine = OfflineEngine()
    engine.warm_up()
    return engine


@pytest.fixture(scope="module")
def transcripts() -> dict[str, Transcript]:
    return {name: load(name) for name in LABELS}


@pytest.fixture(scope="module")
def results(engine: OfflineEngine, transcripts: dict[str, Transcript]) -> dict[str, EngineResult]:
    context = AnalysisContext(personas=PERSONAS)

    async def analyse_all() -> list[EngineResult]:
        return await asyncio.gather(*(engine.analyse(t, context) for t in transcripts.values()))

    return dict(zip(transcripts, asyncio.run(analyse_all()), strict=True))


def test_the_registry_builds_the_offline_engine() -> None:
    from persona_insight.analysis.registry import build_engine
    from persona_insight.config import Settings

    built = build_engine("offline", Settings())
    assert isinstance(built, OfflineEngine)
    assert built.name == "offline"


def test_results_are_valid_contracts(results: dict[str, EngineResult]) -> None:
    for name, result in results.items():
        analysis = result.analysis
        assert InterviewAnalysis.model_validate_json(analysis.model_dump_json()) == analysis, name
        assert result.engine == "offline"
        assert result.model == MODEL
        assert {"turns", "sentences", "ms"} <= set(result.usage)
        assert result.usage["turns"] == len(analysis.cleaned_script)
        assert result.repairs == [], name
        assert result.terms, name
        assert result.terms == sorted(set(result.terms)), name
        # Takeaways follow what the findings mean together (issue 11), so a thin interview
        # has one; none of them repeats a finding.
        assert 1 <= len(analysis.key_takeaways) <= 6, name
        described = {
            f.description for f in [*analysis.primary_pain_points, *analysis.primary_needs]
        }
        assert described.isdisjoint(analysis.key_takeaways), name
        assert analysis.summary, name
        assert analysis.keywords, name
        assert 1 <= analysis.interview_quality_assessment.overall_quality.score <= 5


def test_every_evidence_id_is_a_script_line(results: dict[str, EngineResult]) -> None:
    for name, result in results.items():
        analysis = result.analysis
        ids = analysis.line_ids()
        for finding in [*analysis.primary_pain_points, *analysis.primary_needs]:
            assert finding.evidence, (name, finding)
            assert set(finding.evidence) <= ids, (name, finding)
            assert finding.description.strip(), name


def test_cleaned_script_keeps_every_turn_in_order(
    results: dict[str, EngineResult], transcripts: dict[str, Transcript]
) -> None:
    for name, result in results.items():
        script = result.analysis.cleaned_script
        turns = transcripts[name].turns
        assert [line.id for line in script] == [[t.id] for t in turns], name
        assert [line.speaker for line in script] == [t.role for t in turns], name
        pains = detected(result.analysis, "pain")
        needs = detected(result.analysis, "need")
        for line in script:
            if line.category == "painpoint":
                assert line.id[0] in pains, (name, line)
            elif line.category == "needs":
                assert line.id[0] in needs, (name, line)
            else:
                assert line.id[0] not in pains | needs, (name, line)


def test_fillers_and_stutters_are_removed(results: dict[str, EngineResult]) -> None:
    by_id = {line.id[0]: line for line in results["ko_ev_charging.txt"].analysis.cleaned_script}
    assert by_id[4].cleaned_sentence.startswith("저는 30대 중반이고요")
    assert by_id[10].cleaned_sentence.startswith("그냥 근처 마트")  # "그 그냥" → "그냥"
    saas = {line.id[0]: line for line in results["en_saas_onboarding.txt"].analysis.cleaned_script}
    assert saas[6].cleaned_sentence.startswith("Honestly it was rough")
    assert "you know" not in saas[8].cleaned_sentence
    assert "uh" not in saas[12].cleaned_sentence.split()
    filler = re.compile(r"(?:^|\s)(?:음|어|um|uh|Um|Uh)(?=[\s,.…]|$)")
    for name, result in results.items():
        for line in result.analysis.cleaned_script:
            assert not filler.search(line.cleaned_sentence), (name, line.cleaned_sentence)


@pytest.mark.parametrize("name", sorted(LABELS))
def test_findings_are_found_where_labelled(results: dict[str, EngineResult], name: str) -> None:
    analysis = results[name].analysis
    for kind in ("pain", "need"):
        truth = labelled(name, kind)
        found = detected(analysis, kind)
        assert len(truth & found) >= len(truth) / 2, (kind, sorted(truth - found))
    language = LABELS[name]["language"]
    for finding in [*analysis.primary_pain_points, *analysis.primary_needs]:
        if language == "ko":
            assert HANGUL.search(finding.description), finding.description
        elif language == "en":
            assert not HANGUL.search(finding.description), finding.description


def test_precision_and_recall_floor(results: dict[str, EngineResult]) -> None:
    """Looser than the bench targets (0.7/0.6) so the suite stays stable."""
    totals: dict[tuple[str, str], list[int]] = {}
    for name, result in results.items():
        language = str(LABELS[name]["language"])
        for kind in ("pain", "need"):
            truth, found = labelled(name, kind), detected(result.analysis, kind)
            for group in (language, "all"):
                tp_fp_fn = totals.setdefault((group, kind), [0, 0, 0])
                tp_fp_fn[0] += len(truth & found)
                tp_fp_fn[1] += len(found - truth)
                tp_fp_fn[2] += len(truth - found)
    for (group, kind), (tp, fp, fn) in totals.items():
        if group == "mixed":
            continue
        assert tp / max(tp + fp, 1) >= 0.6, (group, kind, tp, fp, fn)
        assert tp / max(tp + fn, 1) >= 0.5, (group, kind, tp, fp, fn)


def test_language_is_detected(results: dict[str, EngineResult]) -> None:
    for name, result in results.items():
        assert result.analysis.language == LABELS[name]["language"], name


def test_sections_cover_the_script_in_order(results: dict[str, EngineResult]) -> None:
    for name, result in results.items():
        analysis = result.analysis
        sections = analysis.script_sections
        last = max(analysis.line_ids())
        assert 2 <= len(sections) <= 8, (name, sections)
        assert sections[0].start_line == 1
        assert sections[-1].end_line == last
        for before, after in itertools.pairwise(sections):
            assert before.start_line <= before.end_line
            assert after.start_line == before.end_line + 1, (name, sections)
        assert any(s.is_main_content for s in sections), name
        assert all(s.sector_name.strip() for s in sections), name
    ev = results["ko_ev_charging.txt"].analysis.script_sections
    assert (ev[0].start_line, ev[0].end_line, ev[0].is_main_content) == (1, 2, False)
    assert (ev[-1].end_line, ev[-1].is_main_content) == (36, False)


def test_answer_lines_have_sentiment(results: dict[str, EngineResult]) -> None:
    negative_pains = pains = 0
    for name, result in results.items():
        painful = detected(result.analysis, "pain")
        for line in result.analysis.cleaned_script:
            if line.speaker == "question":
                assert line.sentiment is None, name
                continue
            assert line.sentiment in ("positive", "neutral", "negative"), name
            if line.id[0] in painful:
                pains += 1
                negative_pains += line.sentiment == "negative"
    assert negative_pains >= 0.8 * pains
    ev = {line.id[0]: line for line in results["ko_ev_charging.txt"].analysis.cleaned_script}
    assert ev[30].sentiment == "positive"  # "유지비도 … 훨씬 싸서 만족해요"
    assert ev[12].sentiment == "negative"  # "그게 제일 짜증나요"


def test_persona_match_picks_the_closest_persona(results: dict[str, EngineResult]) -> None:
    for name, code in EXPECTED_PERSONA.items():
        match = results[name].analysis.persona_match
        assert match is not None
        # Below the threshold no persona is forced ("no persona fits"); the Korean interviews
        # against English persona descriptions may land there, the English ones must match.
        assert match.code == code or (match.code is None and name.startswith("ko_")), (name, match)
        assert 0.0 <= match.confidence <= 1.0
        if match.code is None:
            continue
        # The explanation cites lines of the interview.
        assert re.search(r"(?:line |번 줄)", match.explanation), match.explanation
        cited = re.findall(r"(?:line (\d+)|(\d+)번 줄)", match.explanation)
        assert cited
        assert all(int(a or b) in results[name].analysis.line_ids() for a, b in cited)


def test_no_personas_means_no_match(engine: OfflineEngine) -> None:
    transcript = parse(
        "Q: How is the app?\nA: It crashes every time I open it, which is really frustrating.\n"
        "Q: What would help?\nA: I wish it would just load my account without crashing."
    )
    result = run(engine, transcript, AnalysisContext())
    assert result.analysis.persona_match is None
    assert detected(result.analysis, "pain") == {2}
    assert detected(result.analysis, "need") == {4}


def test_keywords_use_the_corpus_document_frequency(
    engine: OfflineEngine, results: dict[str, EngineResult], transcripts: dict[str, Transcript]
) -> None:
    alone = [k.term for k in results["ko_ev_charging.txt"].analysis.keywords]
    assert alone[0] == "충전기"
    assert "충전기" in results["ko_ev_charging.txt"].terms
    # In a company whose every interview is about charging, "충전기" says nothing particular.
    everywhere = {"충전기": 40, "충전": 40, "앱": 38}
    context = AnalysisContext(term_document_frequency=everywhere, document_count=40)
    ranked = [
        k.term for k in run(engine, transcripts["ko_ev_charging.txt"], context).analysis.keywords
    ]
    assert ranked[0] not in everywhere
    assert ranked.index("충전기") > 3
    assert set(ranked[:3]).isdisjoint(everywhere)


def test_context_vocabulary_is_reused(
    engine: OfflineEngine, results: dict[str, EngineResult], transcripts: dict[str, Transcript]
) -> None:
    first = results["en_saas_onboarding.txt"].analysis
    takeaway = first.key_takeaways[0]
    company_wording = takeaway.rstrip(".") + " for us"
    unrelated = "Customers love the new mobile dashboard"
    main = [s.sector_name for s in first.script_sections if s.is_main_content]
    company_section = main[0].replace(" · ", " and ").lower() + " discussion"
    context = AnalysisContext(
        key_takeaways=(unrelated, company_wording),
        section_names=("Grocery delivery", company_section),
    )
    again = run(engine, transcripts["en_saas_onboarding.txt"], context).analysis
    assert company_wording in again.key_takeaways
    assert unrelated not in again.key_takeaways
    assert company_section in [s.sector_name for s in again.script_sections]
    assert "Grocery delivery" not in [s.sector_name for s in again.script_sections]


def test_profile_is_neutral_and_never_names_the_speaker(results: dict[str, EngineResult]) -> None:
    for name in ("en_ev_charging.vtt", "en_fitness_app.txt", "ko_travel_booking.txt"):
        profile = results[name].analysis.interviewee_profile
        text = profile.model_dump_json()
        for speaker in ("Priya", "Dana", "최민준", "김하늘"):
            assert speaker not in text, (name, text)
        assert profile.profile_summary, name
    demographics = {n: results[n].analysis.interviewee_profile.demographics for n in results}
    assert demographics["ko_ev_charging.txt"].age_group == "30대 중반"
    assert "직장인" in (demographics["ko_ev_charging.txt"].occupation_context or "")
    assert demographics["en_fitness_app.txt"].age_group == "40s"
    assert "teacher" in (demographics["en_fitness_app.txt"].occupation_context or "")
    assert demographics["ko_public_transport.srt"].gender == "여성"
    assert demographics["en_ev_charging.vtt"].gender == "female"
    # Nothing is inferred from a husband or children.
    assert demographics["en_online_grocery.txt"].gender is None
    assert demographics["ko_fitness_app.vtt"].occupation_context == "병원에서 간호사"


def test_session_info_from_text_and_context(
    engine: OfflineEngine, results: dict[str, EngineResult]
) -> None:
    assert results["ko_banking_app.md"].analysis.session_info.session_date == "2024-05-14"
    assert results["ko_ev_charging.txt"].analysis.session_info.session_date is None
    assert results["ko_ev_charging.txt"].analysis.session_info.interview_topic
    context = AnalysisContext(title="banking_app_interview.md", interview_date=dt.date(2025, 1, 2))
    transcript = parse(
        "Q: 2024년 5월 14일 인터뷰입니다. 어떠세요?\nA: 이체 한도가 낮아서 불편해요."
    )
    info = run(engine, transcript, context).analysis.session_info
    assert info.session_date == "2025-01-02"
    assert info.interview_topic == "banking app interview"


def test_generated_text_is_in_the_interview_language(results: dict[str, EngineResult]) -> None:
    for name, result in results.items():
        analysis = result.analysis
        assert analysis.hmw_questions, name
        for question in analysis.hmw_questions:
            if LABELS[name]["language"] == "en":
                assert question.startswith("How might we ")
                assert question.endswith("?")
            else:
                assert question.startswith("어떻게 하면 ")
                assert question.endswith("있을까?")
        assessment = analysis.interview_quality_assessment.overall_quality.assessment
        assert bool(HANGUL.search(assessment)) == (LABELS[name]["language"] != "en"), name


def test_a_thin_interview_scores_low(engine: OfflineEngine) -> None:
    transcript = parse(
        "Q: Do you use the app?\nA: Yes.\nQ: Often?\nA: Sometimes.\nQ: Why?\nA: Fine."
    )
    quality = run(engine, transcript, AnalysisContext()).analysis.interview_quality_assessment
    assert quality.overall_quality.score <= 2


def test_a_transcript_without_answers_is_refused(engine: OfflineEngine) -> None:
    transcript = parse("Q: 안녕하세요?\nQ: 오늘 어떠세요?")
    with pytest.raises(EngineError) as caught:
        run(engine, transcript, AnalysisContext())
    assert caught.value.code == "empty_transcript"
    assert caught.value.retryable is False
