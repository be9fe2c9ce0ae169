// The twelve boards, as `GET /api/boards` answers (tests/unit/test_page_boards.py keeps them equal): bundled, so
// that a visit asks only for the data.

export const BOARDS = [
  {
    "id": "report",
    "name": "随手举报",
    "description": "发现违法犯罪线索，随手举报，警方第一时间核查处置。",
    "post_types": [
      "report",
      "help",
      "publicity",
      "question"
    ]
  },
  {
    "id": "hukou",
    "name": "包头户政",
    "description": "户口迁移、身份证办理等户政业务咨询与求助。",
    "post_types": [
      "report",
      "help",
      "publicity",
      "question"
    ]
  },
  {
    "id": "exit-entry",
    "name": "出入境",
    "description": "护照、港澳台通行证等出入境证件办理咨询。",
    "post_types": [
      "report",
      "help",
      "publicity",
      "question"
    ]
  },
  {
    "id": "traffic",
    "name": "包头交警",
    "description": "交通违法举报、事故求助、驾驶证与车辆业务咨询。",
    "post_types": [
      "report",
      "help",
      "publicity",
      "question"
    ]
  },
  {
    "id": "anti-drug",
    "name": "禁毒宣传",
    "description": "禁毒知识宣传与涉毒线索举报。",
    "post_types": [
      "publicity",
      "question",
      "report"
    ]
  },
  {
    "id": "anti-terror",
    "name": "反恐宣传",
    "description": "反恐防范知识宣传与可疑情况举报。",
    "post_types": [
      "publicity",
      "question",
      "report"
    ]
  },
  {
    "id": "legal-education",
    "name": "普法宣传",
    "description": "法律法规宣传，以案说法。",
    "post_types": [
      "publicity",
      "question",
      "report"
    ]
  },
  {
    "id": "online-lawyer",
    "name": "网上律师",
    "description": "律师在线解答法律问题。",
    "post_types": [
      "question",
      "help",
      "publicity"
    ]
  },
  {
    "id": "legal-aid",
    "name": "法律援助",
    "description": "法律援助申请指引与求助。",
    "post_types": [
      "help",
      "question",
      "publicity"
    ]
  },
  {
    "id": "environment",
    "name": "环境保护",
    "description": "环境污染、噪音扰民等问题的举报与咨询。",
    "post_types": [
      "report",
      "help",
      "publicity",
      "question"
    ]
  },
  {
    "id": "hometown",
    "name": "他乡故知",
    "description": "在外包头人的交流与求助。",
    "post_types": [
      "help",
      "question",
      "publicity"
    ]
  },
  {
    "id": "qa",
    "name": "问题解答",
    "description": "其他各类涉警问题，民警在线解答。",
    "post_types": [
      "report",
      "help",
      "publicity",
      "question"
    ]
  }
];
