"""Train the offline engine's pain / need / none sentence classifier over e5 embeddings.

Usage: python -m bench.train_findings --maalej GIT_DIR [--out PATH] [--cache PATH]

GIT_DIR is a clone of github.com/adailtonaraujo/app_review_analysis (CC0 1.0), whose
Classification/Dataset/*.json hold the app-review corpus of Maalej, Kurtanović, Nabil and Stanik,
"On the automatic classification of app reviews" (RE journal, 2016), labelled bug report /
feature request / user experience / rating. Bug reports map onto pain points, feature requests
onto needs, and the rest onto "none". The engine's own bilingual example sentences
(analysis/offline/examples.py) and the interview-specific "none" sentences below (negations,
hypotheticals, logistics) are added, so the model sees Korean and interview speech as well as
English reviews; the multilingual embedding carries the review labels over to Korean.

The model is a multinomial logistic regression (numpy, L2, class-balanced); its probabilities
are calibrated by a temperature fitted on held-out folds. Only the weights are shipped
(analysis/offline/data/findings_classifier.npz); the corpus is not.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from persona_insight.analysis.offline import examples, models

CLASSES = ("none", "pain", "need")
CORPUS_FILES = {
    "Bug": "pain",
    "Feature": "need",
    "Rating": "none",
    "UserExperience": "none",
}
MAX_CHARS = 400
DEFAULT_OUT = Path("src/persona_insight/analysis/offline/data/findings_classifier.npz")

# Sentences that carry a pain or need word but state neither: what cue words get wrong in
# interviews. Written for this project (not from any corpus).
INTERVIEW_NONE = (
    "I never had a problem with the booking page.",
    "There was nothing I couldn't do in the app.",
    "Honestly it wasn't difficult at all.",
    "I don't really need anything else from it.",
    "No complaints, it does what I want.",
    "If it ever broke I would probably call support, but it never has.",
    "Imagine if the app crashed during payment, but that hasn't happened to me.",
    "Before we start, is it okay if I record this session?",
    "Let me share my screen so you can see the prototype.",
    "Can you see my screen now?",
    "Thanks for taking the time to talk with us today.",
    "Do you consent to us using this recording for research?",
    "Sorry, I accidentally set off Siri.",
    "When I was a kid we didn't have smartphones at all.",
    "A feature request is when a user asks for something new.",
    "My job is to manage the warehouse team.",
    "불편한 건 없었어요.",
    "어렵지는 않았어요, 금방 익숙해졌어요.",
    "딱히 필요한 기능은 없는 것 같아요.",
    "문제라고 할 만한 건 전혀 없었어요.",
    "만약에 결제가 안 되면 고객센터에 전화하겠지만 그런 적은 없어요.",
    "녹음해도 괜찮으실까요?",
    "화면 공유 한번 해 볼게요.",
    "오늘 시간 내 주셔서 감사합니다.",
    "제 화면 보이세요?",
    "어릴 때는 그런 앱이 아예 없었어요.",
    "저는 물류 회사에서 팀장으로 일하고 있어요.",
)


def _corpus(git_dir: Path) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    for name, label in CORPUS_FILES.items():
        raw = subprocess.run(
            ["git", "--git-dir", str(git_dir), "show", f"HEAD:Classification/Dataset/{name}.json"],
            check=True,
            capture_output=True,
        ).stdout.decode("utf-8")
        # The published files end their array with a trailing comma.
        raw = raw.rstrip().rstrip("]").rstrip().rstrip(",") + "]"
        for item in json.loads(raw):
            text = " ".join(str(item.get("comment") or "").replace("\t", " ").split())
            if len(text) >= 10:
                rows.append((text[:MAX_CHARS], label))
    return rows


def _own() -> list[tuple[str, str]]:
    rows = [(s, "pain") for s in examples.PAIN] + [(s, "need") for s in examples.NEED]
    rest = examples.NEUTRAL + examples.POSITIVE + examples.PERSONAL_NEGATIVE + INTERVIEW_NONE
    return rows + [(s, "none") for s in rest]


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True))


def fit(
    x: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float = 1e-3, steps: int = 1500
) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch gradient descent with Adam; deterministic (zero start, fixed order)."""
    d = x.shape[1]
    k = len(CLASSES)
    w = np.zeros((d, k), dtype=np.float64)
    b = np.zeros(k, dtype=np.float64)
    onehot = np.eye(k)[y]
    m_w, v_w, m_b, v_b = np.zeros_like(w), np.zeros_like(w), np.zeros_like(b), np.zeros_like(b)
    lr, beta1, beta2 = 0.05, 0.9, 0.999
    scale = weight[:, None] / weight.sum()
    for t in range(1, steps + 1):
        p = _softmax(x @ w + b)
        g = (p - onehot) * scale
        gw = x.T @ g + l2 * w
        gb = g.sum(axis=0)
        for param, grad, m, v in ((w, gw, m_w, v_w), (b, gb, m_b, v_b)):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            param -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + 1e-8)
    return w, b


def _balanced(y: np.ndarray) -> np.ndarray:
    counts = np.bincount(y, minlength=len(CLASSES)).astype(np.float64)
    return np.asarray(len(y) / (len(CLASSES) * counts[y]))


def _temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature that minimises held-out log loss (a grid is enough for one number)."""
    best = (np.inf, 1.0)
    for t in np.linspace(0.3, 3.0, 28):
        p = _softmax(logits / t)
        loss = -np.log(p[np.arange(len(y)), y] + 1e-12).mean()
        best = min(best, (float(loss), float(t)))
    return best[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--maalej", type=Path, required=True, help="git dir of the corpus clone")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--cache", type=Path, default=Path("/tmp/findings_train_cache.npz"))
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args(argv)

    rows = _corpus(args.maalej) + _own()
    texts = [t for t, _ in rows]
    y = np.array([CLASSES.index(label) for _, label in rows])
    if args.cache.exists() and int(np.load(args.cache)["n"]) == len(texts):
        x = np.load(args.cache)["x"].astype(np.float64)
    else:
        started = time.perf_counter()
        x = np.concatenate(
            [models.embed(texts[i : i + 64]) for i in range(0, len(texts), 64)]
        ).astype(np.float64)
        print(f"embedded {len(texts)} texts in {time.perf_counter() - started:.0f} s")
        np.savez(args.cache, x=x.astype(np.float32), n=len(texts))
    print("counts", dict(zip(CLASSES, np.bincount(y).tolist(), strict=True)))

    # Cross-validated figures and held-out logits for the temperature; folds by index stride.
    fold = np.arange(len(y)) % args.folds
    logits = np.zeros((len(y), len(CLASSES)))
    for f in range(args.folds):
        train, test = fold != f, fold == f
        w, b = fit(x[train], y[train], _balanced(y[train]))
        logits[test] = x[test] @ w + b
    predicted = logits.argmax(axis=1)
    for k, name in enumerate(CLASSES):
        tp = int(((predicted == k) & (y == k)).sum())
        precision = tp / max(int((predicted == k).sum()), 1)
        recall = tp / max(int((y == k).sum()), 1)
        print(f"cv {name:5s} precision {precision:.3f} recall {recall:.3f}")
    temperature = _temperature(logits, y)
    print(f"temperature {temperature:.2f}")

    w, b = fit(x, y, _balanced(y))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        weights=(w / temperature).astype(np.float32),
        bias=(b / temperature).astype(np.float32),
        classes=np.array(CLASSES),
    )
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
