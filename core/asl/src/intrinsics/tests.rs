//! Calls, inputs and results recorded on AWS (conformance corpus, categories
//! `intrinsic_functions`, `base`, `map` and `variables`), written out by hand, plus the
//! failures the functions report.

use super::*;
use crate::entropy::SplitMix64;
use serde_json::{json, Map};

fn eval_in(expr: &str, input: &Value, context: &Value, vars: &Map<String, Value>) -> Result<Value, IntrinsicError> {
    let call = parse(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
    call.eval(&Scope { input, context, vars }, &mut SplitMix64(7))
}

fn run(expr: &str, input: Value) -> Result<Value, IntrinsicError> {
    eval_in(expr, &input, &Value::Null, &Map::new())
}

fn ok(expr: &str, input: Value) -> Value {
    run(expr, input.clone()).unwrap_or_else(|e| panic!("{expr} on {input}: {e}"))
}

/// `{"FunctionInput": {"fst": fst, "snd": snd}}`, the input shape of most recorded cases.
fn pair(fst: Value, snd: Value) -> Value {
    json!({"FunctionInput": {"fst": fst, "snd": snd}})
}

fn context(execution_name: &str, state_machine: &str) -> Value {
    json!({
        "Execution": {
            "Id": format!("arn:aws:states:us-east-1:111111111111:execution:{state_machine}:{execution_name}"),
            "Name": execution_name,
            "RoleArn": "arn:aws:iam::111111111111:role/snf_role"
        },
        "StateMachine": {
            "Id": format!("arn:aws:states:us-east-1:111111111111:stateMachine:{state_machine}"),
            "Name": state_machine
        }
    })
}

#[test]
fn is_intrinsic_looks_at_the_prefix() {
    assert!(is_intrinsic("States.Format('x')"));
    assert!(is_intrinsic("  States.UUID()"));
    assert!(!is_intrinsic("$.States.x"));
    assert!(!is_intrinsic("states.UUID()"));
    assert!(!is_intrinsic(""));
}

// ---- intrinsic_functions/array_* ----

#[test]
fn array_2() {
    let expr = "States.Array($.FunctionInput.fst, $.FunctionInput.snd)";
    for v in [
        json!(""),
        json!(" "),
        json!(null),
        json!(1.1),
        json!("{\"Arg1\": 1, \"Arg2\": []}"),
        json!({"Arg1": 1, "Arg2": []}),
    ] {
        assert_eq!(ok(expr, pair(v.clone(), v.clone())), json!([v.clone(), v]));
    }
    assert_eq!(ok("States.Array()", json!({})), json!([]));
    assert_eq!(ok("States.Array('a', 'b', 'c')", json!({})), json!(["a", "b", "c"]));
}

#[test]
fn array_contains() {
    let expr = "States.ArrayContains($.FunctionInput.fst, $.FunctionInput.snd)";
    for (fst, snd, expected) in [
        (json!([]), json!([]), false),
        (json!([]), json!(1), false),
        (json!([[1, 2, 3], 2]), json!(null), false),
        (json!([[1, 2, 3], 2]), json!([1, 2, 3]), true),
        (json!([{"1": 2, "2": []}]), json!([]), false),
        (json!([true, false]), json!(true), true),
        (json!([true, false]), json!(false), true),
    ] {
        assert_eq!(ok(expr, pair(fst, snd)), json!(expected));
    }
}

#[test]
fn array_length() {
    assert_eq!(
        ok("States.ArrayLength($.FunctionInput)", json!({"FunctionInput": [1, 2, 3, 4, 5, 6, 7, 8, 9]})),
        json!(9)
    );
    let mixed = json!([null, null, true, true, false, false, 1, 1, 1.1, 0, 0, "HelloWorld", "HelloWorld", [], [], [null], [null], {"a": 1, "b": 2}, {"a": 1, "b": 2}, {"a": 1, "b": 1}]);
    assert_eq!(ok("States.ArrayLength($.FunctionInput)", json!({ "FunctionInput": mixed })), json!(20));
}

#[test]
fn array_unique() {
    let mixed = json!([null, null, true, true, false, false, 1, 1, 1.1, 0, 0, "HelloWorld", "HelloWorld", [], [], [null], [null], {"a": 1, "b": 2}, {"a": 1, "b": 2}, {"a": 1, "b": 1}]);
    assert_eq!(
        ok("States.ArrayUnique($.FunctionInput)", json!({ "FunctionInput": mixed })),
        json!([null, true, false, 1, 1.1, 0, "HelloWorld", [], [null], {"a": 1, "b": 2}, {"a": 1, "b": 1}])
    );
}

#[test]
fn array_partition() {
    let expr = "States.ArrayPartition($.FunctionInput.fst, $.FunctionInput.snd)";
    for (fst, snd, expected) in [
        (json!([]), 1, json!([])),
        (json!([]), 2, json!([])),
        (json!([]), 3, json!([])),
        (json!([]), 4, json!([])),
        (json!([]), 5, json!([])),
        (json!([0]), 2, json!([[0]])),
        (json!([0]), 3, json!([[0]])),
        (json!([0]), 4, json!([[0]])),
        (json!([0]), 5, json!([[0]])),
        (json!([0, 1]), 1, json!([[0], [1]])),
        (json!([0, 1]), 3, json!([[0, 1]])),
        (json!([0, 1]), 4, json!([[0, 1]])),
        (json!([0, 1]), 5, json!([[0, 1]])),
        (json!([0, 1, 2]), 1, json!([[0], [1], [2]])),
        (json!([0, 1, 2]), 2, json!([[0, 1], [2]])),
        (json!([0, 1, 2]), 3, json!([[0, 1, 2]])),
        (json!([0, 1, 2]), 4, json!([[0, 1, 2]])),
        (json!([0, 1, 2]), 5, json!([[0, 1, 2]])),
        (json!([0, 1, 2, 3]), 1, json!([[0], [1], [2], [3]])),
        (json!([0, 1, 2, 3]), 3, json!([[0, 1, 2], [3]])),
        (json!([0, 1, 2, 3]), 4, json!([[0, 1, 2, 3]])),
    ] {
        assert_eq!(ok(expr, pair(fst.clone(), json!(snd))), expected, "{fst} / {snd}");
    }
}

#[test]
fn array_range() {
    let expr = "States.ArrayRange($.FunctionInput.fst, $.FunctionInput.snd, $.FunctionInput.trd)";
    for (args, expected) in [
        ([0, 9, 3], json!([0, 3, 6, 9])),
        ([0, 10, 3], json!([0, 3, 6, 9])),
        ([1, 9, 9], json!([1])),
        ([1, 9, 2], json!([1, 3, 5, 7, 9])),
    ] {
        let input = json!({"FunctionInput": {"fst": args[0], "snd": args[1], "trd": args[2]}});
        assert_eq!(ok(expr, input), expected);
    }
    // map/base_scenarios_map_state_legacy_reentrant
    assert_eq!(ok("States.ArrayRange(0, 3, 1)", json!({})), json!([0, 1, 2, 3]));
}

#[test]
fn array_get_item() {
    assert_eq!(ok("States.ArrayGetItem($.a, 2)", json!({"a": [1, 2, 3, 4, 5, 6]})), json!(3));
}

// ---- intrinsic_functions/encode_decode_* and hash_calculations_* ----

#[test]
fn base64() {
    assert_eq!(ok("States.Base64Decode($.FunctionInput)", json!({"FunctionInput": ""})), json!(""));
    assert_eq!(
        ok("States.Base64Decode($.FunctionInput)", json!({"FunctionInput": "RGF0YSB0byBlbmNvZGU="})),
        json!("Data to encode")
    );
    assert_eq!(ok("States.Base64Encode($.FunctionInput)", json!({"FunctionInput": ""})), json!(""));
    assert_eq!(
        ok("States.Base64Encode($.FunctionInput)", json!({"FunctionInput": "Data to encode"})),
        json!("RGF0YSB0byBlbmNvZGU=")
    );
    assert_eq!(ok("States.Base64Encode($.rawString)", json!({"rawString": "Hello World"})), json!("SGVsbG8gV29ybGQ="));
}

#[test]
fn hash() {
    let expr = "States.Hash($.FunctionInput.fst, $.FunctionInput.snd)";
    for (alg, digest) in [
        ("MD5", "812f45842bc6d66ee14572ce20db8e86"),
        ("SHA-1", "aaff4a450a104cd177d28d18d74485e8cae074b7"),
        ("SHA-384", "d28a7d5cf25a74f11a50a18452b75e04bb3d70c9dd0510d6123aa008c756511b87525bdc835ebb27e1fb9e9374a15562"),
    ] {
        assert_eq!(ok(expr, pair(json!("input data"), json!(alg))), json!(digest));
    }
    assert_eq!(
        ok("States.Hash($.inputString, 'SHA-256')", json!({"inputString": "Hash this string"})),
        json!("1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e")
    );
}

// ---- intrinsic_functions/generic_* ----

#[test]
fn format_1() {
    let expr = "States.Format('Formatting argument {}.', $.FunctionInput)";
    for (v, expected) in [
        (json!(""), "Formatting argument ."),
        (json!(" "), "Formatting argument  ."),
        (json!("HelloWorld"), "Formatting argument HelloWorld."),
        (json!(null), "Formatting argument null."),
        (json!(1), "Formatting argument 1."),
        (json!(1.1), "Formatting argument 1.1."),
        (json!("{\"Arg1\": 1, \"Arg2\": []}"), "Formatting argument {\"Arg1\": 1, \"Arg2\": []}."),
    ] {
        assert_eq!(ok(expr, json!({ "FunctionInput": v })), json!(expected));
    }
}

#[test]
fn format_2() {
    let expr = "States.Format('Formatting arguments fst={} and snd={}.', $.FunctionInput.fst, $.FunctionInput.snd)";
    for (v, expected) in [
        (json!(""), "Formatting arguments fst= and snd=."),
        (json!(" "), "Formatting arguments fst=  and snd= ."),
        (json!("HelloWorld"), "Formatting arguments fst=HelloWorld and snd=HelloWorld."),
        (json!(null), "Formatting arguments fst=null and snd=null."),
        (json!(1), "Formatting arguments fst=1 and snd=1."),
        (json!(1.1), "Formatting arguments fst=1.1 and snd=1.1."),
        (json!({"Arg1": 1, "Arg2": []}), "Formatting arguments fst={Arg1=1, Arg2=[]} and snd={Arg1=1, Arg2=[]}."),
    ] {
        assert_eq!(ok(expr, pair(v.clone(), v)), json!(expected));
    }
}

#[test]
fn format_context_path() {
    let ctx = context("c2c64750-4198-4037-ab5a-510bbb2d2069", "statemachine_9acbbc27");
    let v = eval_in(
        "States.Format('Formatting arguments fst={} and snd={}.', $$.Execution.Name, $$.StateMachine)",
        &json!({"FunctionInput": null}),
        &ctx,
        &Map::new(),
    )
    .unwrap();
    assert_eq!(
        v,
        json!("Formatting arguments fst=c2c64750-4198-4037-ab5a-510bbb2d2069 and snd={Id=arn:aws:states:us-east-1:111111111111:stateMachine:statemachine_9acbbc27, Name=statemachine_9acbbc27}.")
    );
}

#[test]
fn format_in_fail_state_paths() {
    // base/base_state_fail_intrinsic
    let input = json!({"Error": "error string", "Cause": "cause string"});
    assert_eq!(ok("States.Format('{}', $.Error)", input.clone()), json!("error string"));
    assert_eq!(
        ok("States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)", input),
        json!("This is a custom error message for error string, caused by cause string.")
    );
}

#[test]
fn format_with_a_template_from_the_input() {
    // variables/..._map_state_reference_in_items_path: ItemSelector inside a Map.
    let ctx = json!({"Map": {"Item": {"Index": 1, "Value": "Pikachu"}}});
    let v = eval_in(
        "States.Format($.AnswerTemplate, $$.Map.Item.Value)",
        &json!({"AnswerTemplate": "It's {}!"}),
        &ctx,
        &Map::new(),
    )
    .unwrap();
    assert_eq!(v, json!("It's Pikachu!"));
}

#[test]
fn format_with_variables() {
    // variables/assign_base_*: `$varname` and `$.input_value`.
    let mut vars = Map::new();
    vars.insert("varname".into(), json!("var value"));
    let input = json!({"input_value": "input_value_literal"});
    assert_eq!(
        eval_in("States.Format('Format Func {}', $varname)", &input, &Value::Null, &vars).unwrap(),
        json!("Format Func var value")
    );
    assert_eq!(
        eval_in("States.Format('Format Func {}', $.input_value)", &input, &Value::Null, &vars).unwrap(),
        json!("Format Func input_value_literal")
    );
    assert_eq!(
        ok(
            "States.Format('Hello {}, welcome to {}!', $.name, $.place)",
            json!({"name": "John", "place": "LocalStack"})
        ),
        json!("Hello John, welcome to LocalStack!")
    );
}

#[test]
fn escape_sequence() {
    // The definition holds real newline characters inside the literals.
    assert_eq!(
        ok("States.StringSplit('Hello\nWorld', '\n')", json!({"FunctionInput": null})),
        json!(["Hello", "World"])
    );
    assert_eq!(ok("States.Format('\\'\\{\\}\\\\ {}', 'x')", json!({})), json!("'{}\\ x"));
}

#[test]
fn nested_calls() {
    let first = context("7a8334ef-efe5-43a0-af62-543f2ca563d0", "statemachine_f245549c");
    assert_eq!(
        eval_in(
            "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)",
            &json!({"FunctionInput": null}),
            &first,
            &Map::new()
        )
        .unwrap(),
        json!("statemachine_f245549c")
    );
    let second = context("52306612-3ecd-4108-ab42-95cdfcb06aa2", "statemachine_26455b1a");
    let expr = "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))";
    assert_eq!(
        eval_in(expr, &json!({"FunctionInput": null}), &second, &Map::new()).unwrap(),
        json!("statemachine_26455b1a")
    );
    let dashed = context("x", "my-state-machine");
    assert_eq!(eval_in(expr, &json!({}), &dashed, &Map::new()).unwrap(), json!("machine"));
}

// ---- intrinsic_functions/json_manipulation_* ----

#[test]
fn json_merge() {
    let input =
        pair(json!({"a": {"a1": 1, "a2": 2}, "b": 2, "d": 3}), json!({"a": {"a3": 1, "a4": 2}, "c": 3, "d": 4}));
    let merged = ok("States.JsonMerge($.FunctionInput.fst, $.FunctionInput.snd, false)", input);
    assert_eq!(merged, json!({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3, "d": 4}));
    assert_eq!(merged.as_object().unwrap().keys().collect::<Vec<_>>(), ["a", "b", "c", "d"]);
}

#[test]
fn json_merge_escaped_argument() {
    let input = json!({"input_field": {"constant_input_field": "constant_value"}});
    let ctx = json!({"Execution": {"Input": input.clone()}});
    let merged = eval_in(
        "States.JsonMerge(States.StringToJson('{\"constant_in_literal\": \"false\"}'), $$.Execution.Input.input_field, false)",
        &input,
        &ctx,
        &Map::new(),
    )
    .unwrap();
    assert_eq!(merged, json!({"constant_input_field": "constant_value", "constant_in_literal": "false"}));
    // Key order as recorded on AWS (a Java HashMap): the second object's key first.
    let mut text = String::new();
    java::write_json(&merged, &mut text);
    assert_eq!(text, r#"{"constant_input_field":"constant_value","constant_in_literal":"false"}"#);
}

#[test]
fn json_to_string() {
    let expr = "States.JsonToString($.FunctionInput)";
    for (v, expected) in [
        (json!(null), "null"),
        (json!(0), "0"),
        (json!(1), "1"),
        (json!(true), "true"),
        (json!("HelloWorld"), "\"HelloWorld\""),
        (json!({"Arg1": 1, "Arg2": []}), "{\"Arg1\":1,\"Arg2\":[]}"),
        (json!({"z": 1.0, "a": [1e10, -0.5]}), "{\"z\":1.0,\"a\":[1.0E10,-0.5]}"),
    ] {
        assert_eq!(ok(expr, json!({ "FunctionInput": v })), json!(expected));
    }
}

#[test]
fn string_to_json() {
    let expr = "States.StringToJson($.FunctionInput)";
    for (s, expected) in [
        ("", json!(null)),
        (" ", json!(null)),
        ("null", json!(null)),
        ("1", json!(1)),
        ("1.1", json!(1.1)),
        ("true", json!(true)),
        ("\"HelloWorld\"", json!("HelloWorld")),
        ("[1, 2, \"HelloWorld\"]", json!([1, 2, "HelloWorld"])),
        ("{\"Arg1\": 1, \"Arg2\": []}", json!({"Arg1": 1, "Arg2": []})),
    ] {
        assert_eq!(ok(expr, json!({ "FunctionInput": s })), expected, "{s:?}");
    }
}

// ---- intrinsic_functions/math_operations_* ----

#[test]
fn math_add() {
    let expr = "States.MathAdd($.FunctionInput.fst, $.FunctionInput.snd)";
    for (fst, snd, sum) in [
        (json!(1.49), json!(1.5), 3),
        (json!(-1.5), json!(0), -1),
        (json!(-1.51), json!(0), -2),
        (json!(0.5), json!(0), 1),
        (json!(2.5), json!(0), 3),
        (json!(3.5), json!(0), 4),
        (json!(-0.5), json!(0.5), 1),
        (json!(-0.5), json!(0), 0),
        (json!(-2.5), json!(0), -2),
        (json!(1.5), json!(1.51), 4),
        (json!(-3.5), json!(0), -3),
        (json!(-1.49), json!(-1.5), -2),
        (json!(-1.5), json!(-1.51), -3),
        (json!(1.49), json!(-1.49), 0),
        (json!(1.5), json!(0), 2),
        (json!(1.51), json!(0), 2),
    ] {
        let v = ok(expr, pair(fst.clone(), snd.clone()));
        assert_eq!(v, json!(sum), "{fst} + {snd}");
        assert!(v.is_i64(), "the sum is an integer");
    }
    // map/base_scenarios_map_state_*_reentrant and variables/assign_from_intrinsic_function
    assert_eq!(ok("States.MathAdd($.Iterations, -1)", json!({"Iterations": 1})), json!(0));
    assert_eq!(ok("States.MathAdd($.value1, $.value2)", json!({"value1": 5, "value2": 3})), json!(8));
}

#[test]
fn math_add_nested_over_variables() {
    // variables/..._reference_in_iterator_outer_scope: `bias` is 4.3.
    let mut vars = Map::new();
    for (k, v) in [("xCurrent", json!(9)), ("yCurrent", json!(44)), ("zCurrent", json!(6)), ("bias", json!(4.3))] {
        vars.insert(k.into(), v);
    }
    let expr = "States.MathAdd(States.MathAdd(States.MathAdd($yCurrent, $xCurrent), $zCurrent), $bias)";
    assert_eq!(eval_in(expr, &json!({}), &Value::Null, &vars).unwrap(), json!(63));
}

#[test]
fn math_random() {
    let mut rng = SplitMix64(11);
    let call = parse("States.MathRandom($.start, $.end)").unwrap();
    let input = json!({"start": 1, "end": 999});
    let vars = Map::new();
    let scope = Scope { input: &input, context: &Value::Null, vars: &vars };
    for _ in 0..200 {
        let n = call.eval(&scope, &mut rng).unwrap().as_i64().unwrap();
        assert!((1..999).contains(&n));
    }
    let seeded = parse("States.MathRandom($.start, $.end, 42)").unwrap();
    let a = seeded.eval(&scope, &mut SplitMix64(1)).unwrap();
    assert_eq!(a, seeded.eval(&scope, &mut SplitMix64(2)).unwrap());
}

// ---- intrinsic_functions/string_operations_* ----

#[test]
fn string_split() {
    let expr = "States.StringSplit($.FunctionInput.fst, $.FunctionInput.snd)";
    for (s, d, expected) in [
        (" ", ",", json!([" "])),
        (" , ", ",", json!([" ", " "])),
        (", , ,", ",", json!([" ", " "])),
        (",,,,", ",", json!([])),
        ("1,2,3,4,5", ",", json!(["1", "2", "3", "4", "5"])),
        ("This.is+a,test=string", ".+,=", json!(["This", "is", "a", "test", "string"])),
        ("split on T and \nnew line", "T\n", json!(["split on ", " and ", "new line"])),
    ] {
        assert_eq!(ok(expr, pair(json!(s), json!(d))), expected, "{s:?} / {d:?}");
    }
}

#[test]
fn string_split_context_object() {
    let text = "Value1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n";
    let input = json!({ "FunctionInput": text });
    let ctx = json!({"Execution": {"Input": input.clone()}});
    assert_eq!(
        eval_in("States.StringSplit($$.Execution.Input.FunctionInput, ',')", &input, &ctx, &Map::new()).unwrap(),
        json!([
            "Value1",
            "Value2",
            "Value3\nValue4",
            "Value5",
            "Value6\n",
            "\ntrue",
            "1",
            "'HelloWorld'\nNull",
            "None",
            "\n   \n"
        ])
    );
}

// ---- variables/assign_reference_variables_assign_from_value_base_assign_from_intrinsic_function ----

#[test]
fn every_function_in_one_state() {
    let input = json!({
        "inputArray": [1, 2, 3, 4, 5, 6], "duplicateArray": [1, 2, 2, 3, 3, 4], "rawString": "Hello World",
        "encodedString": "SGVsbG8gV29ybGQ=", "inputString": "Hash this string", "json1": {"a": 1, "b": 2},
        "json2": {"c": 3, "d": 4}, "jsonString": "{\"key\":\"value\"}", "jsonObject": {"test": "object"},
        "value1": 5, "value2": 3, "csvString": "a,b,c,d,e", "name": "John", "place": "LocalStack"
    });
    for (expr, expected) in [
        ("States.Array('a', 'b', 'c')", json!(["a", "b", "c"])),
        ("States.ArrayPartition($.inputArray, 2)", json!([[1, 2], [3, 4], [5, 6]])),
        ("States.ArrayContains($.inputArray, 5)", json!(true)),
        ("States.ArrayRange(1, 10, 2)", json!([1, 3, 5, 7, 9])),
        ("States.ArrayGetItem($.inputArray, 2)", json!(3)),
        ("States.ArrayLength($.inputArray)", json!(6)),
        ("States.ArrayUnique($.duplicateArray)", json!([1, 2, 3, 4])),
        ("States.Base64Encode($.rawString)", json!("SGVsbG8gV29ybGQ=")),
        ("States.Base64Decode($.encodedString)", json!("Hello World")),
        ("States.JsonMerge($.json1, $.json2, false)", json!({"a": 1, "b": 2, "c": 3, "d": 4})),
        ("States.StringToJson($.jsonString)", json!({"key": "value"})),
        ("States.JsonToString($.jsonObject)", json!("{\"test\":\"object\"}")),
        ("States.StringSplit($.csvString, ',')", json!(["a", "b", "c", "d", "e"])),
    ] {
        assert_eq!(ok(expr, input.clone()), expected, "{expr}");
    }
    let id = ok("States.UUID()", input);
    let id = id.as_str().unwrap();
    assert_eq!(id.len(), 36);
    assert_eq!(&id[14..15], "4");
}

// ---- failures ----

fn fails(expr: &str, input: Value) -> IntrinsicError {
    match run(expr, input) {
        Ok(v) => panic!("{expr} should fail, gave {v}"),
        Err(e) => e,
    }
}

#[test]
fn runtime_failures_are_intrinsic_failures() {
    for (expr, input, message) in [
        ("States.ArrayGetItem($.a, 5)", json!({"a": [1, 2]}), "Invalid arguments in States.ArrayGetItem: the index 5 is out of bounds for an array of length 2"),
        ("States.ArrayLength($.a)", json!({"a": "x"}), "Invalid arguments in States.ArrayLength: argument 1 must be an array, but was the string \"x\""),
        ("States.ArrayPartition($.a, $.n)", json!({"a": [1], "n": 0}), "Invalid arguments in States.ArrayPartition: the chunk size must be an integer greater than 0, but was 0"),
        ("States.ArrayRange(0, $.n, 1)", json!({"n": 5000}), "Invalid arguments in States.ArrayRange: the range would have 5001 items, but an array can hold at most 1000"),
        ("States.MathAdd($.a, 1)", json!({"a": "1"}), "Invalid arguments in States.MathAdd: argument 1 must be a number, but was the string \"1\""),
        ("States.StringToJson($.s)", json!({"s": "{\"a\": }"}), "Invalid arguments in States.StringToJson: the string is not valid JSON: expected value at line 1 column 7"),
        ("States.Base64Decode($.s)", json!({"s": "%%%"}), "Invalid arguments in States.Base64Decode: the input is not valid base64: Invalid symbol 37, offset 0."),
        ("States.Hash($.s, $.alg)", json!({"s": "x", "alg": "MD4"}), "Invalid arguments in States.Hash: the hash algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512, but was \"MD4\""),
        ("States.JsonMerge($.a, $.b, $.deep)", json!({"a": {}, "b": {}, "deep": true}), "Invalid arguments in States.JsonMerge: only a shallow merge is supported: the third argument must be false"),
        ("States.JsonMerge($.a, $.b, false)", json!({"a": {}, "b": [1]}), "Invalid arguments in States.JsonMerge: argument 2 must be an object, but was the array [1]"),
        ("States.Format($.t, 1)", json!({"t": "{} {}"}), "Invalid arguments in States.Format: the format string has 2 placeholders but 1 value was given"),
        ("States.Format($.t)", json!({"t": 7}), "Invalid arguments in States.Format: argument 1 must be a string, but was the number 7"),
        ("States.Format('a\\nb')", json!({}), "Invalid arguments in States.Format: the string literal contains the unsupported escape sequence '\\n'; only \\', \\{, \\} and \\\\ may be escaped"),
        ("States.StringSplit($.a, ',')", json!({"a": 1}), "Invalid arguments in States.StringSplit: argument 1 must be a string, but was the number 1"),
        ("States.MathRandom(5, 1)", json!({}), "Invalid arguments in States.MathRandom: the end (1) must be greater than the start (5)"),
    ] {
        let e = fails(expr, input);
        assert_eq!(e.to_string(), message, "{expr}");
        assert_eq!(e.error_name(), "States.IntrinsicFailure", "{expr}");
    }
}

#[test]
fn a_missing_path_argument_is_a_runtime_error() {
    let e = fails("States.Format('{}', $.missing)", json!({}));
    assert_eq!(e.error_name(), "States.Runtime");
    assert_eq!(e.to_string(), "Invalid path '$.missing' : No results for path: $['missing']");
    let e = run("States.Array($undefinedVar)", json!({})).unwrap_err();
    assert_eq!(e.to_string(), "Invalid path '$undefinedVar': The variable 'undefinedVar' is not defined");
}

#[test]
fn a_failing_nested_call_fails_the_whole_call() {
    let e = fails("States.Array(1, States.ArrayGetItem($.a, 9))", json!({"a": []}));
    assert!(matches!(e, IntrinsicError::Runtime { function: "States.ArrayGetItem", .. }));
}

#[test]
fn indefinite_paths_give_arrays() {
    assert_eq!(ok("States.ArrayLength($.items[*].x)", json!({"items": [{"x": 1}, {"x": 2}, {"y": 3}]})), json!(2));
    assert_eq!(ok("States.Array($)", json!({"k": 1})), json!([{"k": 1}]));
}

#[test]
fn uses_context_sees_nested_paths() {
    assert!(parse("States.Array(States.Format('{}', $$.Execution.Id))").unwrap().uses_context());
    assert!(!parse("States.Array(States.Format('{}', $.x))").unwrap().uses_context());
}
