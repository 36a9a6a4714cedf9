"""Labelled example sentences (ko/en) and their embeddings, computed once per process.

A sentence is judged by the examples it is closest to. The sets are deliberately generic and
spread over many products (insurance, streaming, shopping, clinics, schools, delivery, banking,
mobility, software) so they describe kinds of statement — frustration, wasted time, distrust,
a wish, a plain fact — rather than any one interview's topic.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from persona_insight.analysis.offline import models
from persona_insight.analysis.offline.models import Vectors

PAIN_KO = (
    "보험금 청구할 때 서류가 너무 많아서 짜증이 나요.",
    "통신 요금제가 너무 비싸서 매달 부담스러워요.",
    "강의 목록에서 원하는 과목을 찾기가 너무 어려워요.",
    "병원 예약할 때마다 같은 인적 사항을 또 적어야 해서 번거로워요.",
    "동영상이 자꾸 멈춰서 한참을 기다려야 해요.",
    "주문 상태가 계속 틀리게 나와서 믿음이 안 가요.",
    "설정 메뉴가 헷갈려서 뭘 바꿔야 할지 모르겠어요.",
    "민원 처리가 몇 주씩 걸려서 답답해요.",
    "위약금이 생각보다 많이 나와서 손해 본 느낌이에요.",
    "서류 하나 떼는 데 반나절이 걸려서 시간 낭비예요.",
    "프린터 연결이 자꾸 끊겨서 처음부터 다시 해야 돼요.",
    "집 보러 갔는데 설명이랑 너무 달라서 실망했어요.",
    "렌터카 반납 절차가 너무 복잡해요.",
    "진료 순서가 언제 오는지 몰라서 계속 불안했어요.",
    "가입할 때 약관 동의만 열 번은 눌러야 해서 귀찮았어요.",
    "청구서에 모르는 항목이 붙어 있어서 황당했어요.",
    "관리비 내역을 어디서 보는지 몰라서 한참 헤맸어요.",
    "상담 전화는 몇 번을 걸어도 연결이 안 돼요.",
    "영수증을 하나하나 사진 찍어서 올려야 해서 힘들어요.",
    "업데이트 이후로 버튼 위치가 바뀌어서 더 불편해졌어요.",
    "여러 사이트를 오가면서 확인해야 해서 번거로워요.",
    "반품하려면 직접 매장에 가야 해서 까다로워요.",
    "그것 때문에 쓸 때마다 스트레스를 받아요.",
    "스마트홈 기기를 혼자 설정하기가 어려워서 결국 기사님을 불렀어요.",
    "필요한 공지가 여기저기 흩어져 있어서 찾는 데 시간이 다 가요.",
    "개인정보가 새어 나갈까 봐 걱정돼요.",
    "추천 영상이 제 취향이랑 안 맞아서 쓸모가 없어요.",
    "그게 저한테는 제일 불편한 부분이에요.",
    "주차장이 늘 꽉 차 있어서 몇 바퀴씩 돌아야 해요.",
    "한 번 잘못 누르면 취소가 안 돼서 겁이 나요.",
    "쓰지도 않는 부가서비스 요금이 계속 나가서 아까워요.",
    "화면 글씨가 너무 작아서 부모님이 쓰기 힘들어하세요.",
    "가격 정책이 자주 바뀌어서 계획을 세우기가 어려워요.",
    "기사님이 도착 시간을 안 지켜서 하루를 통째로 날렸어요.",
)
PAIN_EN = (
    "It's really frustrating when the video keeps buffering.",
    "My phone plan is way too expensive for what I get.",
    "I could never find the course I was looking for in the catalog.",
    "Every clinic visit I fill out the same form all over again.",
    "The insurance portal takes forever to load, so I give up.",
    "The order status is always wrong, so I stopped believing it.",
    "The settings menu is confusing and I never know what to change.",
    "My complaint sat there for weeks without an answer.",
    "The cancellation penalty was much bigger than I expected.",
    "Getting one certificate took half a day, which is a waste of time.",
    "The printer keeps disconnecting and I have to start over.",
    "The apartment looked nothing like the listing, which was disappointing.",
    "Returning the rental car is way too complicated.",
    "I never know when my turn at the clinic will come, so I'm anxious the whole time.",
    "Signing up meant ticking ten consent boxes, which is so annoying.",
    "My bill had charges on it that I didn't recognize.",
    "I spent ages trying to find where the statements are.",
    "I called the helpline five times and never got through.",
    "I have to photograph every receipt one by one and upload it.",
    "Since the redesign everything is harder to find.",
    "I have to go back and forth between different websites to check things.",
    "To return anything I have to go to a store in person.",
    "It stresses me out every time I deal with it.",
    "I couldn't set up the smart thermostat on my own and had to call someone.",
    "The notices are scattered all over, so finding one takes forever.",
    "I'm worried my personal data could leak.",
    "The recommendations never match my taste, so they're useless.",
    "Honestly, that's the most annoying part for me.",
    "The parking lot is always full and I circle for ages.",
    "One wrong tap and you can't undo it, which scares me.",
    "I keep paying for add-ons I never use.",
    "The text is so small that my parents struggle to read it.",
    "The pricing changes so often that I can't plan anything.",
    "The technician didn't show up on time, so I lost a whole day.",
)
NEED_KO = (
    "청구 진행 상황을 단계별로 알려 주면 좋겠어요.",
    "요금제를 한눈에 비교할 수 있는 화면이 필요해요.",
    "강의를 제 수준에 맞게 골라 주면 정말 편할 것 같아요.",
    "예약 내역을 한 곳에서 다 볼 수 있었으면 해요.",
    "영수증을 찍기만 하면 알아서 정리되는 기능이 있으면 좋겠어요.",
    "문제가 생기면 바로 사람과 통화할 수 있었으면 좋겠어요.",
    "어르신들을 위한 큰 글씨 모드가 있었으면 해요.",
    "다른 사람들이 남긴 솔직한 평가를 볼 수 있으면 좋을 것 같아요.",
    "결제 수단을 하나로 묶을 수 있는 방법이 필요해요.",
    "제가 편한 시간에 방문 일정을 잡을 수 있어야 해요.",
    "기사님 위치를 실시간으로 알려 주면 좋겠어요.",
    "자주 쓰는 설정을 저장해 두고 불러올 수 있었으면 해요.",
    "해지나 변경을 앱에서 바로 할 수 있었으면 좋겠어요.",
    "필요한 증명서를 바로 내려받을 수 있게 해 주세요.",
    "처음 쓰는 사람을 위한 단계별 안내가 있으면 도움이 될 것 같아요.",
    "요금이 바뀌기 전에 미리 알려 주는 걸 원해요.",
    "기록을 다른 서비스로 옮길 수 있어야 한다고 생각해요.",
    "가족끼리 같이 관리할 수 있는 기능이 있었으면 좋겠어요.",
    "필요한 만큼만 골라서 낼 수 있는 요금제가 있으면 좋겠어요.",
    "결국 제가 바라는 건 정확한 안내예요.",
    "한 가지만 바꿀 수 있다면 절차를 단순하게 해 주셨으면 해요.",
    "대기 시간이 얼마나 되는지 미리 알 수 있으면 좋겠어요.",
    "선택은 제가 할 수 있게 해 줬으면 좋겠어요.",
    "한 달에 한 번 요약해서 보내 주면 좋을 것 같아요.",
    "뭐가 잘못됐는지 정확히 알려 줘야 해요.",
    "이런 부분이 꼭 개선됐으면 좋겠어요.",
)
NEED_EN = (
    "It would be great if it told me where my claim is at each step.",
    "I need a way to compare the plans side by side.",
    "I'd love it if it picked courses that match my level.",
    "I want to see all my appointments in one place.",
    "It should sort my receipts automatically when I snap a photo.",
    "I wish I could reach a real person right away when something breaks.",
    "A large-text mode for older users would be really helpful.",
    "I'd like to read honest ratings from other tenants.",
    "I want a single payment method that covers all of it.",
    "I should be able to pick a visit time that fits my schedule.",
    "It would be nice to see where the technician is in real time.",
    "Let me save my favorite settings and reuse them.",
    "I'd want to cancel or change my plan right in the app.",
    "Just let me download the certificate I need.",
    "A walkthrough for first-time users would help a lot.",
    "I'd like a heads-up before my rate changes.",
    "I should be able to move my history to another service.",
    "It would be nice if the whole family could manage it together.",
    "I wish I could pay only for the parts I actually use.",
    "What I really need is accurate information.",
    "If I could change one thing, I'd make the process simpler.",
    "Ideally it would tell me how long I'll have to wait.",
    "Give me the choice instead of deciding for me.",
    "A monthly summary sent to me automatically would save time.",
    "It needs to tell me exactly what went wrong.",
    "If only it remembered my preferences.",
)
NEUTRAL_KO = (
    "저는 보통 주말에 몰아서 빨래를 해요.",
    "출근은 주로 버스를 타고 해요.",
    "그 서비스는 가입한 지 3년쯤 됐어요.",
    "부모님이랑 같이 살고 있어요.",
    "주로 점심시간에 잠깐씩 들어가 봐요.",
    "회사에서는 인사 업무를 맡고 있어요.",
    "한 달에 한 번 정도 이용하는 것 같아요.",
    "처음에는 광고 보고 알게 됐어요.",
    "요금은 자동이체로 나가요.",
    "네, 맞아요.",
    "가격은 크게 상관없어요.",
    "사용하면서 크게 곤란했던 적은 없어요.",
    "해 보니까 생각보다 쉬웠어요.",
    "이제는 익숙해져서 괜찮아요.",
    "예전에는 다른 회사 걸 썼었어요.",
    "보통 자기 전에 한 번 확인해요.",
    "강아지 산책 시간에 맞춰서 움직여요.",
    "그날은 비가 와서 우산을 챙겼어요.",
    "더 드릴 말씀은 없는 것 같아요.",
    "주로 태블릿으로 봐요.",
)
NEUTRAL_EN = (
    "I usually do laundry on Saturdays.",
    "I take the bus to work most days.",
    "I signed up about three years ago.",
    "I live with my parents.",
    "I mostly check it during my lunch break.",
    "I work in HR at a hospital.",
    "I'd say I use it about once a month.",
    "I first heard about it from an ad.",
    "The bill is paid by automatic transfer.",
    "Yes, that's correct.",
    "Price doesn't really matter to me.",
    "I haven't had any real trouble with it.",
    "It turned out to be easier than I thought.",
    "I'm used to it by now, so it's okay.",
    "I was with another provider before.",
    "I usually look at it before bed.",
    "I plan my day around walking the dog.",
    "It was raining that day, so I took an umbrella.",
    "That's all I wanted to say, really.",
    "I mostly watch on my tablet.",
)
POSITIVE_KO = (
    "그 기능은 정말 편하고 좋아요.",
    "가격 대비 만족스러워요.",
    "디자인이 깔끔해서 마음에 들어요.",
    "답변이 빨라서 좋았어요.",
    "덕분에 시간이 많이 절약됐어요.",
    "상담해 주신 분이 친절해서 기분이 좋았어요.",
    "공연은 정말 재밌었어요.",
    "이건 계속 쓰고 싶을 정도로 만족해요.",
    "검색이 잘 돼서 편해요.",
    "생각보다 훨씬 괜찮았어요.",
    "부모님도 쉽게 쓰셔서 좋았어요.",
    "그건 진짜 잘 만든 것 같아요.",
)
POSITIVE_EN = (
    "I really like how simple it is.",
    "It's totally worth the money.",
    "The design is clean and I love it.",
    "They replied quickly and it was easy.",
    "It saves me a lot of time.",
    "The agent was friendly and helpful.",
    "The concert was a lot of fun.",
    "I'm really happy with it overall.",
    "Search works really well, which is great.",
    "It turned out better than I expected.",
    "Even my parents find it easy.",
    "That part is honestly well done.",
)
# Negative feelings that are not about the researched experience: a researcher does not record
# them as pain points, so they teach the classifier that sadness alone is not a pain point.
PERSONAL_NEGATIVE_KO = (
    "응원하는 팀이 져서 하루 종일 기분이 별로였어요.",
    "요즘 이사 준비 때문에 정신이 하나도 없어요.",
    "허리를 다쳐서 한동안 고생했어요.",
    "물가가 많이 올라서 다들 어렵다고 하더라고요.",
    "친한 친구가 멀리 이사 가서 좀 서운했어요.",
    "월요일 아침은 원래 좀 처지잖아요.",
    "키우던 화분이 죽어서 속상했어요.",
    "요즘 야근이 잦아서 몸이 무거워요.",
)
PERSONAL_NEGATIVE_EN = (
    "My team lost the game, so I was in a bad mood all day.",
    "Packing for the move has been chaotic.",
    "I hurt my back and was out for a while.",
    "Prices have gone up everywhere, and everyone is feeling it.",
    "My best friend moved away, which made me a bit sad.",
    "Mondays always feel heavy, you know.",
    "My houseplant died, which was kind of upsetting.",
    "I've had a lot of late nights at the office recently.",
)

PAIN = PAIN_KO + PAIN_EN
NEED = NEED_KO + NEED_EN
NEUTRAL = NEUTRAL_KO + NEUTRAL_EN
POSITIVE = POSITIVE_KO + POSITIVE_EN
PERSONAL_NEGATIVE = PERSONAL_NEGATIVE_KO + PERSONAL_NEGATIVE_EN


SCORE_NAMES = ("pain", "need", "other", "positive", "neutral", "negative")


@dataclass(frozen=True, slots=True)
class ExampleBank:
    pain: Vectors
    need: Vectors
    other: Vectors
    positive: Vectors
    neutral: Vectors
    negative: Vectors


_bank: ExampleBank | None = None
_lock = threading.Lock()


def bank() -> ExampleBank:
    """The example embeddings, computed on first use and kept for the life of the process."""
    global _bank
    if _bank is None:
        with _lock:
            if _bank is None:
                started = time.perf_counter()
                groups = (PAIN, NEED, NEUTRAL, POSITIVE, PERSONAL_NEGATIVE)
                vectors = models.embed([s for group in groups for s in group])
                parts: list[Vectors] = []
                start = 0
                for group in groups:
                    parts.append(vectors[start : start + len(group)])
                    start += len(group)
                pain, need, neutral, positive, personal = parts
                _bank = ExampleBank(
                    pain=pain,
                    need=need,
                    other=np.concatenate([neutral, positive, personal]),
                    positive=positive,
                    # Needs are hopeful rather than negative: they count as neutral sentiment.
                    neutral=np.concatenate([neutral, need]),
                    negative=np.concatenate([pain, personal]),
                )
                models.record_load("examples", time.perf_counter() - started)
    return _bank


def top_mean(sims: np.ndarray, k: int = 3) -> np.ndarray:
    """Mean of each row's k highest similarities: a smoothed nearest-example score."""
    k = max(1, min(k, sims.shape[1]))
    part = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
    return np.asarray(part.mean(axis=1), dtype=np.float32)
