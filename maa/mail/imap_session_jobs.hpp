// The pieces of an ImapSession that outlive one callback: the APPEND
// message streaming into the folder as its literal arrives, a FETCH
// answer that continues when the client has read what was sent, and a
// SEARCH that continues on the event loop's next turn.
// Private to the engine's .cpp files.
#pragma once

#include <optional>
#include <vector>

#include "imap_fetch.hpp"
#include "imap_search_eval.hpp"
#include "imap_session.hpp"
#include "imap_sort.hpp"
#include "search_scheduler.hpp"

namespace gm::maa {

// One APPEND, or a MULTIAPPEND (RFC 3502): a message per literal, all in
// one folder, committed together when the command line ends.
struct ImapSession::AppendSink final : mail::ImapLiteralSink {
  std::shared_ptr<SharedFolder> opened;
  mail::MailboxFolder* folder = nullptr;
  std::vector<mail::MailboxFolder::Append> messages;
  uint64_t announced = 0;            // octets of every literal so far (quota)
  std::optional<ImapReply> failure;  // answered when the command completes

  void write(std::string_view chunk) override {
    if (failure || messages.empty()) return;
    if (Status s = messages.back().write(chunk); !s)
      failure = imap_reply::server_bug(s.error().message);
  }
};

struct ImapSession::FetchJob {
  mail::ImapCommand command;
  FetchPlan plan;
  std::vector<uint32_t> seqs;
  size_t next = 0;  // index into seqs
  bool expunged_seen = false;
};

struct ImapSession::SearchJob {
  enum class Answer : uint8_t { kSearch, kSort, kThread };
  mail::ImapCommand command;
  Answer answer = Answer::kSearch;
  std::vector<SortCriterion> sort;  // kSort
  ThreadAlgorithm algorithm = ThreadAlgorithm::kReferences;
  SearchHits hits;  // hits.program.root is the tree the evaluator walks
  std::optional<SearchEvaluator> evaluator;
  SearchScheduler* scheduler = nullptr;
  uint64_t ticket = 0;  // while queued in *scheduler

  SearchJob() = default;
  SearchJob(const SearchJob&) = delete;
  SearchJob& operator=(const SearchJob&) = delete;
  ~SearchJob() {
    if (ticket != 0) scheduler->cancel(ticket);
  }
};

}  // namespace gm::maa
