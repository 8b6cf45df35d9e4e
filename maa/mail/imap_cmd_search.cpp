// SEARCH and UID SEARCH (RFC 9051 6.4.4) with ESEARCH answers (RFC 4731;
// always for IMAP4rev2 clients), CONDSTORE's (MODSEQ n) (RFC 7162 3.1.5);
// SORT and THREAD (RFC 5256) over the same criteria. The criteria are
// evaluated in slices (imap_search_eval.hpp): a body search over a large
// mailbox gives the event loop back every kSearchSliceReads files, so the
// process's other sessions keep being answered.
#include <algorithm>

#include "core/str.hpp"
#include "imap_search_eval.hpp"
#include "imap_session.hpp"
#include "imap_session_jobs.hpp"
#include "imap_sort.hpp"
#include "mail/imap_string.hpp"
#include "net/connection.hpp"

namespace gm::maa {

namespace {

bool asks_to_save(std::span<const mail::ImapArg> args) {
  if (args.size() < 2 || !args[0].atom_is("RETURN") || !args[1].is_list()) return false;
  return std::any_of(args[1].list.begin(), args[1].list.end(),
                     [](const mail::ImapArg& a) { return a.atom_is("SAVE"); });
}

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

// Parses the criteria and runs the first slice; the answer comes from
// answer_search() now or on a later turn of the loop.
void ImapSession::start_search(std::unique_ptr<SearchJob> job,
                               std::span<const mail::ImapArg> criteria) {
  const mail::ImapCommand& command = job->command;
  auto program = mail::parse_search(criteria);
  if (!program) {
    // RFC 5182 2.4: a failed SEARCH RETURN (SAVE) leaves "$" empty.
    if (asks_to_save(criteria)) selected_->saved_uids.clear();
    if (program.error().code == mail::kImapSearchBadCharset)
      return finish(command, imap_reply::bad_charset());
    return finish(command, imap_reply::syntax(program.error().message));
  }
  job->hits.program = std::move(*program);
  job->evaluator.emplace(*selected_->folder, selected_->view, &context_.header_cache,
                         selected_->saved_uids);
  if (Status s = job->evaluator->prepare(job->hits.program.root); !s)
    return finish(command, imap_reply::syntax(s.error().message));
  if (job->hits.program.uses_modseq) enable_condstore();
  search_job_ = std::move(job);
  if (run_search_job()) return;
  input_ = ImapInput::kBusy;
  search_job_->scheduler = &context_.search_scheduler;
  search_job_->ticket = context_.search_scheduler.add([this] { return continue_search(); });
}

// The scheduler's turn: the next slice, then the commands that waited
// behind the answer. The job's destructor takes it out of the queue.
bool ImapSession::continue_search() {
  if (!search_job_) return true;
  if (!selected_ || conn_ == nullptr || state_ == ImapState::kLogout) {
    search_job_.reset();  // the client went away
    return true;
  }
  if (!run_search_job()) return false;
  input_ = ImapInput::kCommands;
  conn_->resume_input();
  process_input();
  return true;
}

bool ImapSession::run_search_job() {
  SearchJob& job = *search_job_;
  if (!job.evaluator->run_slice(job.hits.program.root)) return false;
  auto done = std::move(search_job_);
  done->hits.max_modseq = done->evaluator->max_modseq();
  done->hits.seqs = done->evaluator->take_hits();
  for (uint32_t seq : done->hits.seqs)
    done->hits.numbers.push_back(done->command.uid ? selected_->view.uid_at(seq) : seq);
  answer_search(*done);
  return true;
}

void ImapSession::answer_search(SearchJob& job) {
  const mail::ImapCommand& command = job.command;
  const SearchHits& hits = job.hits;
  if (hits.program.returns & mail::kReturnSave) save_result(hits);
  switch (job.answer) {
    case SearchJob::Answer::kSearch:
      break;
    case SearchJob::Answer::kSort: {
      auto order = sort_messages(*selected_->folder, selected_->view, hits.seqs, job.sort,
                                 &context_.header_cache);
      std::string line = "SORT";
      for (uint32_t seq : order)
        append_number(line, command.uid ? selected_->view.uid_at(seq) : seq);
      untagged(line);
      return finish(command, imap_reply::completed("SORT"));
    }
    case SearchJob::Answer::kThread: {
      std::string threads = thread_messages(*selected_->folder, selected_->view, hits.seqs,
                                            job.algorithm, command.uid, &context_.header_cache);
      untagged("THREAD" + std::string(threads.empty() ? "" : " ") + threads);
      return finish(command, imap_reply::completed("THREAD"));
    }
  }
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
  // RFC 5182 2.4: RETURN (SAVE) alone answers no ESEARCH.
  if (returns == mail::kReturnSave) return finish(command, imap_reply::completed("SEARCH"));
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

// RFC 5182 2.4: with MIN and/or MAX but neither ALL nor COUNT, only those
// are saved; otherwise every message found.
void ImapSession::save_result(const SearchHits& hits) {
  std::vector<uint32_t>& saved = selected_->saved_uids;
  saved.clear();
  const auto& seqs = hits.seqs;
  uint8_t r = hits.program.returns;
  bool min_max_only =
      (r & (mail::kReturnMin | mail::kReturnMax)) && !(r & (mail::kReturnAll | mail::kReturnCount));
  for (size_t i = 0; i < seqs.size(); ++i) {
    bool keep = !min_max_only || (i == 0 && (r & mail::kReturnMin)) ||
                (i + 1 == seqs.size() && (r & mail::kReturnMax));
    if (keep) saved.push_back(selected_->view.uid_at(seqs[i]));
  }
}

void ImapSession::cmd_search(const mail::ImapCommand& command) {
  auto job = std::make_unique<SearchJob>();
  job->command = command;
  start_search(std::move(job), command.args);
}

// SORT and THREAD: the charset is required and comes without the word
// CHARSET (RFC 5256 3); the search parser reads it in SEARCH's form.
namespace {

std::vector<mail::ImapArg> with_charset_word(std::span<const mail::ImapArg> args) {
  std::vector<mail::ImapArg> search_args;
  search_args.reserve(args.size() + 1);
  search_args.emplace_back().text = "CHARSET";
  search_args.insert(search_args.end(), args.begin(), args.end());
  return search_args;
}

}  // namespace

void ImapSession::cmd_sort(const mail::ImapCommand& command) {
  const auto& args = command.args;
  auto criteria = parse_sort_criteria(args[0]);
  if (!criteria) return finish(command, imap_reply::syntax(criteria.error().message));
  auto job = std::make_unique<SearchJob>();
  job->command = command;
  job->answer = SearchJob::Answer::kSort;
  job->sort = std::move(*criteria);
  start_search(std::move(job), with_charset_word(std::span(args).subspan(1)));
}

void ImapSession::cmd_thread(const mail::ImapCommand& command) {
  const auto& args = command.args;
  if (!args[0].is_atom()) return finish(command, imap_reply::syntax("THREAD algorithm expected"));
  std::optional<ThreadAlgorithm> algorithm;
  if (args[0].atom_is("ORDEREDSUBJECT")) algorithm = ThreadAlgorithm::kOrderedSubject;
  if (args[0].atom_is("REFERENCES")) algorithm = ThreadAlgorithm::kReferences;
  if (!algorithm) return finish(command, imap_reply::syntax("Unknown THREAD algorithm"));
  auto job = std::make_unique<SearchJob>();
  job->command = command;
  job->answer = SearchJob::Answer::kThread;
  job->algorithm = *algorithm;
  start_search(std::move(job), with_charset_word(std::span(args).subspan(1)));
}

}  // namespace gm::maa
