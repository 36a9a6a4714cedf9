"""Small realistic transcripts for workflow tests (the demo samples are the larger set)."""

from __future__ import annotations

import io

KOREAN = """면접관: 안녕하세요. 오늘 인터뷰에 응해 주셔서 감사합니다. 전기차는 얼마나 타셨어요?
참여자: 2년 정도 탔어요. 출퇴근할 때 매일 써요.
면접관: 충전은 주로 어디서 하세요?
참여자: 아파트 지하 주차장에서 하는데 충전기가 두 대밖에 없어서 너무 불편해요.
참여자: 저녁에 가면 항상 자리가 없어서 기다려야 하거든요. 그게 제일 스트레스예요.
면접관: 그럴 때는 어떻게 하세요?
참여자: 근처 급속 충전소에 가는데 요금이 비싸서 부담돼요.
면접관: 어떤 게 있으면 좋을까요?
참여자: 충전기가 비었는지 앱에서 미리 알 수 있으면 좋겠어요.
참여자: 그리고 예약 기능이 꼭 필요해요. 시간 맞춰서 내려가면 되니까요.
면접관: 감사합니다.
"""

ENGLISH = [
    "Interviewer: Thanks for joining. How do you usually order groceries?",
    "Participant: Mostly through the app on Sunday evenings.",
    "Interviewer: What is the hardest part?",
    "Participant: The delivery slots are always full, which is really frustrating.",
    "Participant: I waste a lot of time refreshing the page to find a free slot.",
    "Interviewer: What would make it better?",
    "Participant: I wish I could get a notification when a slot opens up.",
    "Participant: It would be great to save my usual basket so I can reorder in one tap.",
    "Interviewer: Thank you, that is all.",
]


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
