"""The names and household sizes the demo generator draws from (`households.demo`): the Kinh and the ethnic
minorities of the north-west and north-east, with the naming styles of each group."""

KINH = "01"

# Household size: mean 3.88 (1: 7%, 2: 14%, 3: 20%, 4: 27%, 5: 16%, 6: 9%, 7: 5%, 8: 2%).
HOUSEHOLD_SIZES = ((1, 7), (2, 14), (3, 20), (4, 27), (5, 16), (6, 9), (7, 5), (8, 2))

# Ethnic minorities of the north-west and north-east: (code, weight in the province, family names,
# style of names: "highland" (A/Seo, local given names) or "valley" (Văn/Thị, mostly Kinh given names)).
MINORITY_GROUPS = (
    ("08", 28, ("Giàng", "Sùng", "Vàng", "Mùa", "Lý", "Thào", "Hầu", "Lù", "Hạng", "Tráng"), "highland"),  # Mông
    ("09", 20, ("Triệu", "Bàn", "Lý", "Đặng", "Chảo", "Tẩn", "Phùn"), "dao"),  # Dao
    ("02", 22, ("Hoàng", "Nông", "Lục", "Hà", "Ma", "Lương", "Đinh"), "valley"),  # Tày
    ("07", 6, ("Nông", "Hoàng", "Lục", "Vi", "Lăng", "Sằm"), "valley"),  # Nùng
    ("25", 5, ("Lò", "Hoàng", "Lù", "Vương", "Lục", "Sần"), "valley"),  # Giáy
    ("03", 9, ("Lò", "Lường", "Hà", "Cầm", "Vì", "Quàng", "Tòng"), "thai"),  # Thái
    ("35", 4, ("Lý", "Chu", "Phùng", "Pờ", "Sừ"), "highland"),  # Hà Nhì
    ("40", 3, ("Vàng", "Lò", "Thèn", "Hoàng"), "highland"),  # Phù Lá
    ("38", 3, ("Vương", "Lù", "Hoàng", "Lò"), "valley"),  # La Chí
)

KINH_FAMILY = (
    ("Nguyễn", 35),
    ("Trần", 11),
    ("Lê", 9.5),
    ("Phạm", 7),
    ("Hoàng", 5),
    ("Huỳnh", 1.5),
    ("Phan", 4),
    ("Vũ", 4),
    ("Võ", 1.5),
    ("Đặng", 2),
    ("Bùi", 2),
    ("Đỗ", 1.5),
    ("Hồ", 1.2),
    ("Ngô", 1.2),
    ("Dương", 1),
    ("Lý", 0.5),
    ("Đinh", 1),
    ("Đào", 1),
    ("Đoàn", 0.6),
    ("Trịnh", 0.6),
    ("Lương", 0.5),
    ("Mai", 0.5),
    ("Cao", 0.5),
    ("Vương", 0.3),
    ("Tạ", 0.3),
    ("Lưu", 0.3),
    ("Chu", 0.3),
    ("Tô", 0.3),
)
KINH_MIDDLE = {
    "male": (("Văn", 40), ("Đức", 14), ("Hữu", 9), ("Minh", 12), ("Quang", 10), ("Công", 6), ("Xuân", 4), ("Tiến", 5)),
    "female": (
        ("Thị", 52),
        ("Ngọc", 12),
        ("Thu", 10),
        ("Thanh", 10),
        ("Kim", 5),
        ("Phương", 4),
        ("Hồng", 4),
        ("Bích", 3),
    ),
}
KINH_GIVEN = {
    "male": (
        "Đức", "Hùng", "Dũng", "Tuấn", "Minh", "Nam", "Long", "Hải", "Sơn", "Thắng", "Cường", "Trung", "Hiếu", "Phúc",
        "Khánh", "Bình", "Quân", "Thành", "Hoàng", "Vinh", "Tùng", "Toàn", "Huy", "Kiên", "Việt", "Tâm", "Phong",
        "Quý", "Tài", "Lâm", "Hưng", "An", "Bảo", "Khoa", "Đạt", "Duy", "Hòa", "Chiến", "Lợi", "Thịnh",
    ),
    "female": (
        "Lan", "Hoa", "Hương", "Mai", "Linh", "Thảo", "Hằng", "Trang", "Hà", "Nga", "Huyền", "Phương", "Yến", "Nhung",
        "Thủy", "Hạnh", "Hiền", "Loan", "Oanh", "Vân", "Anh", "Chi", "Vy", "Ánh", "Dung", "Giang", "Hồng", "Liên",
        "Quỳnh", "Thư", "Trâm", "Nhi", "Tuyết", "Xuân", "Duyên", "Thơm", "Nhàn", "Tâm", "Ngọc", "Diệp",
    ),
}  # fmt: skip
# Naming styles of the minority groups: middle names and local given names (half of the given names
# are drawn from these, half from the Kinh lists, as is common among the younger generations).
STYLES = {
    "highland": {
        "male_middle": (("A", 40), ("Seo", 25), ("Văn", 35)),
        "female_middle": (("Thị", 80), ("Mí", 20)),
        "male_given": ("Páo", "Chử", "Sình", "Dình", "Pử", "Tủa", "Chứ", "Sáng", "Lềnh", "Dế", "Của", "Vư", "Khua"),
        "female_given": ("Mỷ", "Dợ", "Chá", "Sa", "Pàng", "Dua", "Súa", "Dính", "Mai", "Chở", "Xó", "Sung"),
    },
    "dao": {
        "male_middle": (("Văn", 70), ("Quẩy", 15), ("Chàn", 15)),
        "female_middle": (("Thị", 85), ("Mùi", 15)),
        "male_given": ("Tòng", "Phin", "Chàn", "Kiềm", "Quẩy", "Phấu", "Vần", "Lìn", "Sành", "Phú", "Sơn"),
        "female_given": ("Mẩy", "Lở", "Phây", "Dính", "Nái", "Xuân", "Sinh", "Chài", "Mai"),
    },
    "thai": {
        "male_middle": (("Văn", 90), ("Đức", 10)),
        "female_middle": (("Thị", 95), ("Thu", 5)),
        "male_given": ("Pọm", "Ón", "Xôm", "Khăm", "Piếng", "Ơn", "Chăn", "Quý", "Phong", "Tiến"),
        "female_given": ("Ban", "Ên", "Xuân", "Inh", "Bun", "Ơn", "Phương", "Thơm", "Lả"),
    },
    "valley": {
        "male_middle": (("Văn", 85), ("Đức", 8), ("Quang", 7)),
        "female_middle": (("Thị", 90), ("Thu", 5), ("Ngọc", 5)),
        "male_given": ("Pằn", "Slình", "Thình", "Chính", "Lâm", "Sáng", "Khìn", "Phúc", "Thắng", "Dìn"),
        "female_given": ("Nhình", "Pảo", "Sao", "Ngoan", "Sen", "Mến", "Hoa", "Lụa", "Chiên"),
    },
}
