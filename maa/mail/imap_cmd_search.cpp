// SEARCH and UID SEARCH (RFC 9051 6.4.4) with ESEARCH answers (RFC 4731;
// always for IMAP4rev2 clients), CONDSTORE's (MODSEQ n) (RFC 7162 3.1.5);
// SORT and THREAD (RFC 5256) over the same criteria.
#include "core/str.hpp"
#include "imap_search_eval.hpp"
#include "imap_session.hpp"
#include "imap_sort.hpp"
#include "mail/imap_string.hpp"

namespace gm::maa {

namespace {

void append_number(std::string& out, uint32_t n) {
  out += ' ';
  out += std::to_string(n);
}

std::string number_list(const std::vector<uint32_t>& numbers) {
  std::string out;
  for (uint32_t n : numbers) append_number(out, n);
  return out;
}

}  // namespace

// Parses and runs the criteria; on failure the reply to send.
std::variant<SearchHits, ImapReply> ImapSession::run_search(std::span<const mail::ImapArg> args,
                                                            bool uid) {
  auto program = mail::parse_search(args);
  if (!program) {
    if (program.error().code == mail::kImapSearchBadCharset) return imap_reply::bad_charset();
    return imap_reply::syntax(program.error().message);
  }
  if (program->returns & mail::kReturnSave)
    return imap_reply::syntax("SEARCH RETURN (SAVE) is not supported");
  SearchEvaluator evaluator(*selected_->folder, selected_->view);
  if (Status s = evaluator.prepare(program->root); !s) return imap_reply::syntax(s.error().message);
  SearchHits hits;
  hits.program = std::move(*program);
  uint64_t max_modseq = 0;
  hits.seqs = evaluator.run(hits.program.root, &max_modseq);
  hits.max_modseq = max_modseq;
  for (uint32_t seq : hits.seqs) hits.numbers.push_back(uid ? selected_->view.uid_at(seq) : seq);
  if (hits.program.uses_modseq) enable_condstore();
  return hits;
}

// SORT and THREAD: the charset is required and comes without the word
// CHARSET (RFC 5256 3); the search parser reads it in SEARCH's form.
std::variant<SearchHits, ImapReply> ImapSession::run_search_with_charset(
    std::span<const mail::ImapArg> args, bool uid) {
  std::vector<mail::ImapArg> search_args;
  search_args.reserve(args.size() + 1);
  search_args.emplace_back().text = "CHARSET";
  search_args.insert(search_args.end(), args.begin(), args.end());
  return run_search(search_args, uid);
}

void ImapSession::cmd_search(const mail::ImapCommand& command) {
  auto result = run_search(command.args, command.uid);
  if (auto* reply = std::get_if<ImapReply>(&result)) return finish(command, *reply);
  auto& hits = std::get<SearchHits>(result);
  const auto& numbers = hits.numbers;
  bool with_modseq = hits.program.uses_modseq && !numbers.empty();
  if (!hits.program.esearch && !enabled_.rev2()) {
    std::string line = "SEARCH" + number_list(numbers);
    if (with_modseq) line += str_cat(" (MODSEQ ", hits.max_modseq, ")");
    untagged(line);
    return finish(command, imap_reply::completed("SEARCH"));
  }
  // RFC 4731 3.1: RETURN () means ALL; IMAP4rev2 SEARCH is ESEARCH (ALL).
  uint8_t returns = hits.program.returns == 0 ? uint8_t{mail::kReturnAll} : hits.program.returns;
  std::string line = "ESEARCH (TAG ";
  mail::append_string(line, command.tag);
  line += ")";
  if (command.uid) line += " UID";
  if (!numbers.empty()) {
    if (returns & mail::kReturnMin) line += str_cat(" MIN ", numbers.front());
    if (returns & mail::kReturnMax) line += str_cat(" MAX ", numbers.back());
    if (returns & mail::kReturnAll)
      line += " ALL " + mail::SequenceSet::from_numbers(numbers).to_string();
  }
  if (returns & mail::kReturnCount) line += str_cat(" COUNT ", numbers.size());
  if (with_modseq) line += str_cat(" MODSEQ ", hits.max_modseq);
  untagged(line);
  finish(command, imap_reply::completed("SEARCH"));
}

void ImapSession::cmd_sort(const mail::ImapCommand& command) {
  const auto& args = command.args;
  auto criteria = parse_sort_criteria(args[0]);
  if (!criteria) return finish(command, imap_reply::syntax(criteria.error().message));
  auto result = run_search_with_charset(std::span(args).subspan(1), command.uid);
  if (auto* reply = std::get_if<ImapReply>(&result)) return finish(command, *reply);
  auto& hits = std::get<SearchHits>(result);
  auto order = sort_messages(*selected_->folder, selected_->view, hits.seqs, *criteria);
  std::string line = "SORT";
  for (uint32_t seq : order) append_number(line, command.uid ? selected_->view.uid_at(seq) : seq);
  untagged(line);
  finish(command, imap_reply::completed("SORT"));
}

void ImapSession::cmd_thread(const mail::ImapCommand& command) {
  const auto& args = command.args;
  if (!args[0].is_atom()) return finish(command, imap_reply::syntax("THREAD algorithm expected"));
  std::optional<ThreadAlgorithm> algorithm;
  if (args[0].atom_is("ORDEREDSUBJECT")) algorithm = ThreadAlgorithm::kOrderedSubject;
  if (args[0].atom_is("REFERENCES")) algorithm = ThreadAlgorithm::kReferences;
  if (!algorithm) return finish(command, imap_reply::syntax("Unknown THREAD algorithm"));
  auto result = run_search_with_charset(std::span(args).subspan(1), command.uid);
  if (auto* reply = std::get_if<ImapReply>(&result)) return finish(command, *reply);
  auto& hits = std::get<SearchHits>(result);
  std::string threads =
      thread_messages(*selected_->folder, selected_->view, hits.seqs, *algorithm, command.uid);
  untagged("THREAD" + std::string(threads.empty() ? "" : " ") + threads);
  finish(command, imap_reply::completed("THREAD"));
}

}  // namespace gm::maa
