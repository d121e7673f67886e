"""GB 32100 credit codes, GB 11643 resident ID numbers, and the masking helpers."""

from datetime import date

import pytest

from liveguard.parties.identifiers import (
    USCC_ALPHABET,
    birth_date,
    id_check_char,
    mask,
    mask_id_number,
    mask_name,
    mask_phone,
    uscc_check_char,
    validate_id_number,
    validate_uscc,
)

# Codes of registered companies (Huawei, Tencent, and two more from public registries),
# so the check-character arithmetic is tested against the outside world, not itself.
REAL_CREDIT_CODES = [
    "914403001922038216",
    "9144030071526726XG",
    "91350100M000100Y43",
    "91330100799655058B",
]
# GB 11643-1999's own worked example.
STANDARD_ID_NUMBER = "11010519491231002X"
ID_CHARACTERS = "0123456789X"
TODAY = date(2026, 11, 23)


def _substitutions(value, alphabet):
    for position, original in enumerate(value):
        for replacement in alphabet:
            if replacement != original:
                yield position, value[:position] + replacement + value[position + 1 :]


# --- unified social credit code (GB 32100-2015) ----------------------------------------


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_it_accepts_real_credit_codes(code):
    assert validate_uscc(code) == code


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_the_check_character_of_a_real_credit_code_is_recomputed(code):
    assert uscc_check_char(code[:17]) == code[17]


def test_the_alphabet_has_31_characters_without_i_o_z_s_v():
    assert len(USCC_ALPHABET) == 31 == len(set(USCC_ALPHABET))
    assert not set("IOZSV") & set(USCC_ALPHABET)


def test_it_normalises_a_lowercase_credit_code_with_surrounding_spaces():
    assert validate_uscc("  9144030071526726xg\n") == "9144030071526726XG"


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_it_refuses_every_single_character_substitution_in_a_credit_code(code):
    accepted = []
    for position, mistyped in _substitutions(code, USCC_ALPHABET):
        try:
            validate_uscc(mistyped)
        except ValueError:
            continue
        accepted.append((position, mistyped))
    assert accepted == []


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_the_credit_code_check_character_changes_with_every_body_substitution(code):
    # Mod 31 with weights 3^i: no single substitution in the body leaves it unchanged,
    # even where the validator would already refuse the code for another reason.
    body = code[:17]
    for position, mistyped in _substitutions(body, USCC_ALPHABET):
        assert uscc_check_char(mistyped) != code[17], (position, mistyped)


def test_it_refuses_a_credit_code_with_a_wrong_check_character():
    with pytest.raises(ValueError, match=r"check character is '7' but GB 32100 gives '6'") as e:
        validate_uscc("914403001922038217")
    assert "mistyped" in str(e.value)


@pytest.mark.parametrize(("code", "length"), [("", 0), ("91440300192203821", 17), ("9" * 19, 19)])
def test_a_credit_code_length_error_names_the_length(code, length):
    with pytest.raises(ValueError, match=rf"has 18 characters, this one has {length}$"):
        validate_uscc(code)


@pytest.mark.parametrize("letter", "IOZSV")
def test_a_forbidden_letter_in_a_credit_code_is_named(letter):
    code = "9144030071526726" + letter + "G"
    with pytest.raises(ValueError, match=rf"characters '{letter}' are not used") as e:
        validate_uscc(code)
    assert "except I, O, Z, S, V" in str(e.value)


def test_a_lowercase_forbidden_letter_is_named_in_capitals():
    with pytest.raises(ValueError, match=r"characters 'O' are not used"):
        validate_uscc("9144030071526726og")


def test_several_foreign_characters_are_all_named():
    with pytest.raises(ValueError, match=r"characters '-IO' are not used"):
        validate_uscc("91440300-1922038IO")


def test_it_refuses_a_credit_code_whose_division_code_has_letters():
    body = "91A40300192203821"
    code = body + uscc_check_char(body)
    with pytest.raises(ValueError, match="six-digit administrative division code"):
        validate_uscc(code)


def test_the_credit_code_check_needs_a_17_character_body():
    with pytest.raises(ValueError, match="17 characters"):
        uscc_check_char("9144030019220382")


def test_the_credit_code_check_refuses_a_body_outside_the_alphabet():
    with pytest.raises(ValueError, match="outside the GB 32100 alphabet"):
        uscc_check_char("9144030019220382I")


# --- resident ID number (GB 11643-1999) ------------------------------------------------


def test_it_accepts_the_standards_example_id_number():
    assert validate_id_number(STANDARD_ID_NUMBER, today=TODAY) == STANDARD_ID_NUMBER


def test_the_standards_example_check_character_is_x():
    assert id_check_char(STANDARD_ID_NUMBER[:17]) == "X"


def test_it_normalises_a_lowercase_x_and_surrounding_spaces():
    assert validate_id_number(" 11010519491231002x ", today=TODAY) == STANDARD_ID_NUMBER


def test_it_refuses_every_single_character_substitution_in_an_id_number():
    accepted = []
    for position, mistyped in _substitutions(STANDARD_ID_NUMBER, ID_CHARACTERS):
        try:
            validate_id_number(mistyped, today=TODAY)
        except ValueError:
            continue
        accepted.append((position, mistyped))
    assert accepted == []


def test_the_id_check_character_changes_with_every_body_digit_substitution():
    body = STANDARD_ID_NUMBER[:17]
    for position, mistyped in _substitutions(body, "0123456789"):
        assert id_check_char(mistyped) != "X", (position, mistyped)


def test_it_refuses_an_id_number_with_a_wrong_check_character():
    with pytest.raises(ValueError, match=r"check character is '3' but GB 11643 gives 'X'") as e:
        validate_id_number("110105194912310023", today=TODAY)
    assert "mistyped" in str(e.value)


@pytest.mark.parametrize(("number", "length"), [("", 0), ("1101051949123100", 16)])
def test_an_id_number_length_error_names_the_length(number, length):
    with pytest.raises(ValueError, match=rf"has 18 characters, this one has {length}$"):
        validate_id_number(number, today=TODAY)


@pytest.mark.parametrize(
    "number", ["1101051949123100X2", "11010519491231002Y", "1101051949A231002X"]
)
def test_it_refuses_an_id_number_that_is_not_17_digits_and_a_check_character(number):
    with pytest.raises(ValueError, match="17 digits followed by a digit or X"):
        validate_id_number(number, today=TODAY)


@pytest.mark.parametrize("birth", ["19490231", "19491301", "19490001", "19491200"])
def test_it_refuses_an_id_number_with_an_impossible_date_of_birth(birth):
    body = "110105" + birth + "002"
    number = body + id_check_char(body)
    with pytest.raises(ValueError, match=rf"digits 7-14 \({birth}\) are not a valid date of birth"):
        validate_id_number(number, today=TODAY)


def test_it_refuses_an_id_number_born_after_today():
    body = "110105" + "20261124" + "002"
    number = body + id_check_char(body)
    with pytest.raises(ValueError, match="date of birth 2026-11-24 is not plausible"):
        validate_id_number(number, today=TODAY)


def test_it_accepts_an_id_number_born_today():
    body = "110105" + "20261123" + "002"
    number = body + id_check_char(body)
    assert validate_id_number(number, today=TODAY) == number


def test_it_refuses_an_id_number_born_before_1900():
    body = "110105" + "18991231" + "002"
    number = body + id_check_char(body)
    with pytest.raises(ValueError, match="date of birth 1899-12-31 is not plausible"):
        validate_id_number(number, today=TODAY)


def test_the_id_check_needs_17_digits():
    with pytest.raises(ValueError, match="17 digits"):
        id_check_char("1101051949123100X")


def test_a_full_width_id_number_is_refused_or_normalised_to_ascii():
    full_width = "１１０１０５１９４９１２３１００２X"
    try:
        result = validate_id_number(full_width, today=TODAY)
    except ValueError:
        return
    assert result == STANDARD_ID_NUMBER


def test_birth_date_reads_digits_7_to_14():
    assert birth_date(STANDARD_ID_NUMBER) == date(1949, 12, 31)


# --- masking ---------------------------------------------------------------------------


def test_an_id_number_keeps_its_region_and_last_four():
    assert mask_id_number(STANDARD_ID_NUMBER) == "110***********002X"


def test_a_masked_id_number_hides_the_birth_date():
    assert "19491231" not in mask_id_number(STANDARD_ID_NUMBER)


def test_a_phone_number_is_masked_the_way_platforms_do():
    assert mask_phone("13812345678") == "138****5678"


def test_a_name_keeps_only_the_surname():
    assert mask_name("张三丰") == "张**"
    assert mask_name("李") == "李"
    assert mask_name("") == ""


def test_masking_keeps_the_length():
    assert mask("abcdefgh", keep_start=2, keep_end=1, fill="#") == "ab#####h"


def test_masking_with_no_kept_end_hides_the_tail():
    assert mask("abcdef", keep_start=2, keep_end=0) == "ab****"


@pytest.mark.parametrize("value", ["", "abc", "abcdefg"])
def test_a_value_too_short_to_keep_both_ends_is_hidden_entirely(value):
    assert mask(value, keep_start=3, keep_end=4) == "*" * len(value)
